//! Crate-internal macros.

/// Declares a configuration struct whose fields are public to read, with one chained setter
/// per field (documented by the field's own doc comment) and `#[non_exhaustive]`, so code
/// outside the crate builds it the one learnkit way: `Type::params()` and setters.
macro_rules! config_struct {
    (
        $(#[$struct_meta:meta])*
        pub struct $name:ident {
            $( $(#[doc = $doc:literal])* pub $field:ident : $ty:ty ),* $(,)?
        }
    ) => {
        $(#[$struct_meta])*
        #[non_exhaustive]
        pub struct $name {
            $( $(#[doc = $doc])* pub $field: $ty, )*
        }

        impl $name {
            $(
                $(#[doc = $doc])*
                pub fn $field(mut self, value: $ty) -> Self {
                    self.$field = value;
                    self
                }
            )*
        }
    };
}
