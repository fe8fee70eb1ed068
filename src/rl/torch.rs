//! libtorch support for deep RL (the `tch` feature).

/// The libtorch device learnkit trains on: CUDA when asked for and available, else CPU.
pub fn device(want_cuda: bool) -> tch::Device {
    if want_cuda && tch::Cuda::is_available() {
        tch::Device::Cuda(0)
    } else {
        tch::Device::Cpu
    }
}

#[cfg(test)]
mod tests {
    /// libtorch is linked and computes: a 2×2 matrix product on the CPU.
    #[test]
    fn libtorch_multiplies_matrices() {
        let a = tch::Tensor::from_slice(&[1.0f32, 2.0, 3.0, 4.0]).reshape([2, 2]);
        let b = a.matmul(&a);
        let values: Vec<f32> = Vec::<f32>::try_from(b.reshape([4])).unwrap();
        assert_eq!(values, vec![7.0, 10.0, 15.0, 22.0]);
        assert_eq!(super::device(false), tch::Device::Cpu);
    }
}
