using System.Runtime.InteropServices;

namespace Nsmt.Torch.Native;

// The C ABI of native/src/*.cpp. Handles are at::Tensor* owned by the caller.
// Every function reports failure through its sentinel (IntPtr.Zero / -1 / NaN) and nsmt_last_error.
#pragma warning disable SYSLIB1054 // blittable signatures: DllImport needs no marshalling stub here
internal static unsafe partial class NativeMethods
{
    internal const string Library = "nsmt_torch";

    // ---- core ----
    [DllImport(Library)] internal static extern IntPtr nsmt_last_error();
    [DllImport(Library)] internal static extern void nsmt_clear_error();
    [DllImport(Library)] internal static extern void nsmt_free(IntPtr t);
    [DllImport(Library)] internal static extern IntPtr nsmt_torch_version();
    [DllImport(Library)] internal static extern int nsmt_dim(IntPtr t);
    [DllImport(Library)] internal static extern int nsmt_sizes(IntPtr t, long* output, int capacity);
    [DllImport(Library)] internal static extern int nsmt_strides(IntPtr t, long* output, int capacity);
    [DllImport(Library)] internal static extern long nsmt_numel(IntPtr t);
    [DllImport(Library)] internal static extern int nsmt_dtype(IntPtr t);
    [DllImport(Library)] internal static extern int nsmt_device_type(IntPtr t);
    [DllImport(Library)] internal static extern int nsmt_device_index(IntPtr t);
    [DllImport(Library)] internal static extern int nsmt_is_contiguous(IntPtr t);
    [DllImport(Library)] internal static extern IntPtr nsmt_from_data(void* data, long nbytes, long* shape, int ndim, int dtype);
    [DllImport(Library)] internal static extern int nsmt_copy_to_host(IntPtr t, void* destination, long nbytes);
    [DllImport(Library)] internal static extern IntPtr nsmt_data_ptr(IntPtr t);
    [DllImport(Library)] internal static extern double nsmt_item_double(IntPtr t);
    [DllImport(Library)] internal static extern long nsmt_item_long(IntPtr t);
    [DllImport(Library)] internal static extern IntPtr nsmt_to_dtype(IntPtr t, int dtype);
    [DllImport(Library)] internal static extern IntPtr nsmt_to_device(IntPtr t, int type, int index);
    [DllImport(Library)] internal static extern IntPtr nsmt_clone(IntPtr t);
    [DllImport(Library)] internal static extern IntPtr nsmt_contiguous(IntPtr t);
    [DllImport(Library)] internal static extern IntPtr nsmt_alias(IntPtr t);
    [DllImport(Library)] internal static extern int nsmt_copy_(IntPtr destination, IntPtr source);
    [DllImport(Library)] internal static extern int nsmt_fill_(IntPtr t, NativeScalar value);
    [DllImport(Library)] internal static extern int nsmt_zero_(IntPtr t);

    // ---- autograd ----
    [DllImport(Library)] internal static extern int nsmt_requires_grad(IntPtr t);
    [DllImport(Library)] internal static extern int nsmt_set_requires_grad(IntPtr t, int value);
    [DllImport(Library)] internal static extern int nsmt_is_leaf(IntPtr t);
    [DllImport(Library)] internal static extern int nsmt_backward(IntPtr t, IntPtr gradient, int retainGraph, int createGraph);
    [DllImport(Library)] internal static extern int nsmt_grad(IntPtr t, out IntPtr grad);
    [DllImport(Library)] internal static extern int nsmt_set_grad(IntPtr t, IntPtr grad);
    [DllImport(Library)] internal static extern IntPtr nsmt_detach(IntPtr t);
    [DllImport(Library)] internal static extern int nsmt_detach_(IntPtr t);
    [DllImport(Library)] internal static extern int nsmt_grad_enabled();
    [DllImport(Library)] internal static extern void nsmt_set_grad_enabled(int enabled);

    // ---- RNG, threads, devices ----
    [DllImport(Library)] internal static extern int nsmt_manual_seed(ulong seed);
    [DllImport(Library)] internal static extern IntPtr nsmt_rng_get_state();
    [DllImport(Library)] internal static extern int nsmt_rng_set_state(IntPtr state);
    [DllImport(Library)] internal static extern int nsmt_set_num_threads(int n);
    [DllImport(Library)] internal static extern int nsmt_get_num_threads();
    [DllImport(Library)] internal static extern int nsmt_set_deterministic(int on);
    [DllImport(Library)] internal static extern int nsmt_cuda_is_available();
    [DllImport(Library)] internal static extern int nsmt_cuda_device_count();
    [DllImport(Library)] internal static extern int nsmt_cuda_manual_seed_all(ulong seed);
    [DllImport(Library)] internal static extern int nsmt_cuda_synchronize();

    // ---- creation ----
    [DllImport(Library)] internal static extern IntPtr nsmt_empty(long* shape, int ndim, int dtype, int devType, int devIndex, int requiresGrad);
    [DllImport(Library)] internal static extern IntPtr nsmt_zeros(long* shape, int ndim, int dtype, int devType, int devIndex, int requiresGrad);
    [DllImport(Library)] internal static extern IntPtr nsmt_ones(long* shape, int ndim, int dtype, int devType, int devIndex, int requiresGrad);
    [DllImport(Library)] internal static extern IntPtr nsmt_full(long* shape, int ndim, NativeScalar value, int dtype, int devType, int devIndex, int requiresGrad);
    [DllImport(Library)] internal static extern IntPtr nsmt_rand(long* shape, int ndim, int dtype, int devType, int devIndex, int requiresGrad);
    [DllImport(Library)] internal static extern IntPtr nsmt_randn(long* shape, int ndim, int dtype, int devType, int devIndex, int requiresGrad);
    [DllImport(Library)] internal static extern IntPtr nsmt_randint(long low, long high, long* shape, int ndim, int dtype, int devType, int devIndex, int requiresGrad);
    [DllImport(Library)] internal static extern IntPtr nsmt_arange(NativeScalar start, NativeScalar end, NativeScalar step, int dtype, int devType, int devIndex, int requiresGrad);
    [DllImport(Library)] internal static extern IntPtr nsmt_linspace(double start, double end, long steps, int dtype, int devType, int devIndex, int requiresGrad);
    [DllImport(Library)] internal static extern IntPtr nsmt_randperm(long n, int dtype, int devType, int devIndex, int requiresGrad);
    [DllImport(Library)] internal static extern IntPtr nsmt_eye(long n, long m, int dtype, int devType, int devIndex, int requiresGrad);
    [DllImport(Library)] internal static extern IntPtr nsmt_window(int kind, long length, int periodic, double beta, int dtype, int devType, int devIndex, int requiresGrad);
    [DllImport(Library)] internal static extern int nsmt_uniform_(IntPtr t, double from, double to);
    [DllImport(Library)] internal static extern int nsmt_normal_(IntPtr t, double mean, double std);
    [DllImport(Library)] internal static extern int nsmt_bernoulli_(IntPtr t, double p);

    // ---- element-wise and reductions ----
    [DllImport(Library)] internal static extern IntPtr nsmt_unary(IntPtr t, int op);
    [DllImport(Library)] internal static extern int nsmt_unary_(IntPtr t, int op);
    [DllImport(Library)] internal static extern IntPtr nsmt_binary(IntPtr a, IntPtr b, int op, NativeScalar alpha);
    [DllImport(Library)] internal static extern int nsmt_binary_(IntPtr a, IntPtr b, int op, NativeScalar alpha);
    [DllImport(Library)] internal static extern IntPtr nsmt_binary_scalar(IntPtr a, NativeScalar s, int op, int reversed, NativeScalar alpha);
    [DllImport(Library)] internal static extern int nsmt_binary_scalar_(IntPtr a, NativeScalar s, int op, NativeScalar alpha);
    [DllImport(Library)] internal static extern IntPtr nsmt_clamp(IntPtr t, NativeScalar* min, NativeScalar* max);
    [DllImport(Library)] internal static extern int nsmt_clamp_(IntPtr t, NativeScalar* min, NativeScalar* max);
    [DllImport(Library)] internal static extern IntPtr nsmt_where(IntPtr condition, IntPtr a, IntPtr b);
    [DllImport(Library)] internal static extern IntPtr nsmt_masked_fill(IntPtr t, IntPtr mask, NativeScalar value);
    [DllImport(Library)] internal static extern int nsmt_masked_fill_(IntPtr t, IntPtr mask, NativeScalar value);
    [DllImport(Library)] internal static extern IntPtr nsmt_addcmul(IntPtr t, IntPtr a, IntPtr b, NativeScalar value);
    [DllImport(Library)] internal static extern IntPtr nsmt_addcdiv(IntPtr t, IntPtr a, IntPtr b, NativeScalar value);
    [DllImport(Library)] internal static extern IntPtr nsmt_lerp(IntPtr t, IntPtr end, NativeScalar weight);
    [DllImport(Library)] internal static extern IntPtr nsmt_reduce(IntPtr t, int op, long* dims, int ndims, int keepdim, long correction, double p);
    [DllImport(Library)] internal static extern int nsmt_max_dim(IntPtr t, long dim, int keepdim, int isMin, out IntPtr values, out IntPtr indices);
    [DllImport(Library)] internal static extern IntPtr nsmt_argmax(IntPtr t, long dim, int hasDim, int keepdim, int isMin);
    [DllImport(Library)] internal static extern int nsmt_topk(IntPtr t, long k, long dim, int largest, int sorted, out IntPtr values, out IntPtr indices);
    [DllImport(Library)] internal static extern int nsmt_sort(IntPtr t, long dim, int descending, out IntPtr values, out IntPtr indices);
    [DllImport(Library)] internal static extern IntPtr nsmt_cumsum(IntPtr t, long dim);
    [DllImport(Library)] internal static extern IntPtr nsmt_matmul(IntPtr a, IntPtr b);
    [DllImport(Library)] internal static extern IntPtr nsmt_mm(IntPtr a, IntPtr b);
    [DllImport(Library)] internal static extern IntPtr nsmt_bmm(IntPtr a, IntPtr b);
    [DllImport(Library)] internal static extern IntPtr nsmt_linear(IntPtr input, IntPtr weight, IntPtr bias);
    [DllImport(Library)] internal static extern IntPtr nsmt_outer(IntPtr a, IntPtr b);
    [DllImport(Library)] internal static extern IntPtr nsmt_einsum([MarshalAs(UnmanagedType.LPUTF8Str)] string equation, IntPtr* operands, int count);

    // ---- shape ----
    [DllImport(Library)] internal static extern IntPtr nsmt_reshape(IntPtr t, long* shape, int n);
    [DllImport(Library)] internal static extern IntPtr nsmt_view(IntPtr t, long* shape, int n);
    [DllImport(Library)] internal static extern IntPtr nsmt_permute(IntPtr t, long* dims, int n);
    [DllImport(Library)] internal static extern IntPtr nsmt_transpose(IntPtr t, long a, long b);
    [DllImport(Library)] internal static extern IntPtr nsmt_flatten(IntPtr t, long start, long end);
    [DllImport(Library)] internal static extern IntPtr nsmt_unflatten(IntPtr t, long dim, long* sizes, int n);
    [DllImport(Library)] internal static extern IntPtr nsmt_squeeze(IntPtr t, long dim, int all);
    [DllImport(Library)] internal static extern IntPtr nsmt_unsqueeze(IntPtr t, long dim);
    [DllImport(Library)] internal static extern IntPtr nsmt_cat(IntPtr* items, int count, long dim);
    [DllImport(Library)] internal static extern IntPtr nsmt_stack(IntPtr* items, int count, long dim);
    [DllImport(Library)] internal static extern IntPtr nsmt_narrow(IntPtr t, long dim, long start, long length);
    [DllImport(Library)] internal static extern IntPtr nsmt_slice(IntPtr t, long dim, long start, long end, long step);
    [DllImport(Library)] internal static extern IntPtr nsmt_select(IntPtr t, long dim, long index);
    [DllImport(Library)] internal static extern IntPtr nsmt_index_select(IntPtr t, long dim, IntPtr index);
    [DllImport(Library)] internal static extern IntPtr nsmt_gather(IntPtr t, long dim, IntPtr index);
    [DllImport(Library)] internal static extern IntPtr nsmt_scatter(IntPtr t, long dim, IntPtr index, IntPtr source);
    [DllImport(Library)] internal static extern IntPtr nsmt_masked_select(IntPtr t, IntPtr mask);
    [DllImport(Library)] internal static extern IntPtr nsmt_expand(IntPtr t, long* shape, int n);
    [DllImport(Library)] internal static extern IntPtr nsmt_repeat(IntPtr t, long* repeats, int n);
    [DllImport(Library)] internal static extern IntPtr nsmt_flip(IntPtr t, long* dims, int n);
    [DllImport(Library)] internal static extern IntPtr nsmt_roll(IntPtr t, long* shifts, int ns, long* dims, int nd);
    [DllImport(Library)] internal static extern IntPtr nsmt_tril(IntPtr t, long diagonal, int upper);
    [DllImport(Library)] internal static extern IntPtr nsmt_one_hot(IntPtr t, long numClasses);
    [DllImport(Library)] internal static extern IntPtr nsmt_chunk_one(IntPtr t, long chunks, long dim, long which);
    [DllImport(Library)] internal static extern IntPtr nsmt_pad(IntPtr t, long* pads, int n, int mode, double value);
    [DllImport(Library)] internal static extern IntPtr nsmt_view_as_real(IntPtr t);
    [DllImport(Library)] internal static extern IntPtr nsmt_view_as_complex(IntPtr t);
    [DllImport(Library)] internal static extern IntPtr nsmt_real(IntPtr t);
    [DllImport(Library)] internal static extern IntPtr nsmt_imag(IntPtr t);

    // ---- nn ----
    [DllImport(Library)] internal static extern IntPtr nsmt_conv(int dims, IntPtr input, IntPtr weight, IntPtr bias, long* stride, long* padding, int paddingMode, long* dilation, long groups);
    [DllImport(Library)] internal static extern IntPtr nsmt_conv_transpose(int dims, IntPtr input, IntPtr weight, IntPtr bias, long* stride, long* padding, long* outputPadding, long groups, long* dilation);
    [DllImport(Library)] internal static extern IntPtr nsmt_max_pool(int dims, IntPtr input, long* kernel, long* stride, long* padding, long* dilation, int ceilMode);
    [DllImport(Library)] internal static extern IntPtr nsmt_avg_pool(int dims, IntPtr input, long* kernel, long* stride, long* padding, int ceilMode, int countIncludePad);
    [DllImport(Library)] internal static extern IntPtr nsmt_adaptive_avg_pool(int dims, IntPtr input, long* outputSize);
    [DllImport(Library)] internal static extern IntPtr nsmt_adaptive_max_pool(int dims, IntPtr input, long* outputSize);
    [DllImport(Library)] internal static extern IntPtr nsmt_batch_norm(IntPtr input, IntPtr weight, IntPtr bias, IntPtr runningMean, IntPtr runningVar, int training, double momentum, double eps);
    [DllImport(Library)] internal static extern IntPtr nsmt_layer_norm(IntPtr input, long* shape, int n, IntPtr weight, IntPtr bias, double eps);
    [DllImport(Library)] internal static extern IntPtr nsmt_group_norm(IntPtr input, long groups, IntPtr weight, IntPtr bias, double eps);
    [DllImport(Library)] internal static extern IntPtr nsmt_gelu(IntPtr t, int tanhApproximation);
    [DllImport(Library)] internal static extern IntPtr nsmt_leaky_relu(IntPtr t, double slope);
    [DllImport(Library)] internal static extern IntPtr nsmt_elu(IntPtr t, double alpha);
    [DllImport(Library)] internal static extern IntPtr nsmt_softplus(IntPtr t, double beta, double threshold);
    [DllImport(Library)] internal static extern IntPtr nsmt_hardtanh(IntPtr t, double low, double high);
    [DllImport(Library)] internal static extern IntPtr nsmt_softmax(IntPtr t, long dim);
    [DllImport(Library)] internal static extern IntPtr nsmt_log_softmax(IntPtr t, long dim);
    [DllImport(Library)] internal static extern IntPtr nsmt_dropout(IntPtr t, double p, int train);
    [DllImport(Library)] internal static extern IntPtr nsmt_embedding(IntPtr weight, IntPtr indices, long paddingIdx);
    [DllImport(Library)] internal static extern IntPtr nsmt_stft(IntPtr input, long nFft, long hop, long winLength, IntPtr window, int center, [MarshalAs(UnmanagedType.LPUTF8Str)] string padMode, int normalized, int onesided);
    [DllImport(Library)] internal static extern IntPtr nsmt_istft(IntPtr input, long nFft, long hop, long winLength, IntPtr window, int center, int normalized, int onesided, long length);
    [DllImport(Library)] internal static extern int nsmt_lstm(IntPtr input, IntPtr h0, IntPtr c0, IntPtr* parameters, int count, int hasBiases, long numLayers, double dropout, int train, int bidirectional, int batchFirst, out IntPtr output, out IntPtr hn, out IntPtr cn);
    [DllImport(Library)] internal static extern int nsmt_gru(IntPtr input, IntPtr h0, IntPtr* parameters, int count, int hasBiases, long numLayers, double dropout, int train, int bidirectional, int batchFirst, out IntPtr output, out IntPtr hn);

    // ---- losses ----
    [DllImport(Library)] internal static extern IntPtr nsmt_cross_entropy(IntPtr input, IntPtr target, IntPtr weight, int reduction, long ignoreIndex, double labelSmoothing);
    [DllImport(Library)] internal static extern IntPtr nsmt_nll_loss(IntPtr input, IntPtr target, IntPtr weight, int reduction, long ignoreIndex);
    [DllImport(Library)] internal static extern IntPtr nsmt_mse_loss(IntPtr input, IntPtr target, int reduction);
    [DllImport(Library)] internal static extern IntPtr nsmt_l1_loss(IntPtr input, IntPtr target, int reduction);
    [DllImport(Library)] internal static extern IntPtr nsmt_smooth_l1_loss(IntPtr input, IntPtr target, int reduction, double beta);
    [DllImport(Library)] internal static extern IntPtr nsmt_huber_loss(IntPtr input, IntPtr target, int reduction, double delta);
    [DllImport(Library)] internal static extern IntPtr nsmt_kl_div(IntPtr input, IntPtr target, int reduction, int logTarget);
    [DllImport(Library)] internal static extern IntPtr nsmt_binary_cross_entropy(IntPtr input, IntPtr target, IntPtr weight, int reduction);
    [DllImport(Library)] internal static extern IntPtr nsmt_bce_with_logits(IntPtr input, IntPtr target, IntPtr weight, IntPtr posWeight, int reduction);

    // ---- optimisers ----
    [DllImport(Library)] internal static extern int nsmt_adam_step(IntPtr* parameters, IntPtr* expAvg, IntPtr* expAvgSq, IntPtr* maxExpAvgSq, long* steps, int count, double lr, double beta1, double beta2, double eps, double weightDecay, int amsgrad, int decoupled, int maximize);
    [DllImport(Library)] internal static extern int nsmt_sgd_step(IntPtr* parameters, IntPtr* momentumBuffers, int count, double lr, double momentum, double dampening, double weightDecay, int nesterov, int maximize);
    [DllImport(Library)] internal static extern double nsmt_clip_grad_norm(IntPtr* parameters, int count, double maxNorm, double normType);
    [DllImport(Library)] internal static extern int nsmt_clip_grad_value(IntPtr* parameters, int count, double clipValue);
}
