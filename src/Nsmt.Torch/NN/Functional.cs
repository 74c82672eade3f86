using Nsmt.Torch.Native;

namespace Nsmt.Torch;

public static partial class torch
{
    public static partial class nn
    {
        /// <summary>Loss reduction (values are at::Reduction's; BatchMean is F.kl_div's 'batchmean').</summary>
        public enum Reduction
        {
            None = 0,
            Mean = 1,
            Sum = 2,
            BatchMean = 3,
        }

        public enum PaddingModes
        {
            Zeros = 0,
            Reflect = 1,
            Replicate = 2,
            Circular = 3,
        }

        /// <summary>Convolution padding given as a keyword: Valid (none) or Same (output length = input length).</summary>
        public enum Padding
        {
            Valid = 1,
            Same = 2,
        }

        public static partial class functional
        {
            private static Tensor W(IntPtr h) => Tensor.Wrap(h);
            private static IntPtr H(Tensor? t) => t?.Handle ?? IntPtr.Zero;

            private static long[] Expand(long[]? values, int dims, long fallback)
            {
                if (values is null)
                    return Enumerable.Repeat(fallback, dims).ToArray();
                if (values.Length == dims)
                    return values;
                if (values.Length == 1)
                    return Enumerable.Repeat(values[0], dims).ToArray();
                throw new ArgumentException($"expected 1 or {dims} values, got {values.Length}");
            }

            // ---- convolution ----
            private static unsafe Tensor Conv(int dims, Tensor input, Tensor weight, Tensor? bias, long[]? stride, long[]? padding,
                Padding? paddingMode, long[]? dilation, long groups)
            {
                var s = Expand(stride, dims, 1);
                var p = Expand(padding, dims, 0);
                var d = Expand(dilation, dims, 1);
                fixed (long* ps = s, pp = p, pd = d)
                    return W(NativeMethods.nsmt_conv(dims, input.Handle, weight.Handle, H(bias), ps, pp, (int)(paddingMode ?? 0), pd, groups));
            }

            public static Tensor conv1d(Tensor input, Tensor weight, Tensor? bias = null, long stride = 1, long padding = 0, long dilation = 1, long groups = 1) =>
                Conv(1, input, weight, bias, [stride], [padding], null, [dilation], groups);

            public static Tensor conv1d(Tensor input, Tensor weight, Tensor? bias, long stride, Padding padding, long dilation = 1, long groups = 1) =>
                Conv(1, input, weight, bias, [stride], null, padding, [dilation], groups);

            public static Tensor conv2d(Tensor input, Tensor weight, Tensor? bias = null, long[]? strides = null, long[]? padding = null, long[]? dilation = null, long groups = 1) =>
                Conv(2, input, weight, bias, strides, padding, null, dilation, groups);

            public static Tensor conv2d(Tensor input, Tensor weight, Tensor? bias, long[]? strides, Padding padding, long[]? dilation = null, long groups = 1) =>
                Conv(2, input, weight, bias, strides, null, padding, dilation, groups);

            private static unsafe Tensor ConvTranspose(int dims, Tensor input, Tensor weight, Tensor? bias, long[]? stride, long[]? padding,
                long[]? outputPadding, long groups, long[]? dilation)
            {
                var s = Expand(stride, dims, 1);
                var p = Expand(padding, dims, 0);
                var o = Expand(outputPadding, dims, 0);
                var d = Expand(dilation, dims, 1);
                fixed (long* ps = s, pp = p, po = o, pd = d)
                    return W(NativeMethods.nsmt_conv_transpose(dims, input.Handle, weight.Handle, H(bias), ps, pp, po, groups, pd));
            }

            public static Tensor conv_transpose1d(Tensor input, Tensor weight, Tensor? bias = null, long stride = 1, long padding = 0,
                long output_padding = 0, long groups = 1, long dilation = 1) =>
                ConvTranspose(1, input, weight, bias, [stride], [padding], [output_padding], groups, [dilation]);

            public static Tensor conv_transpose2d(Tensor input, Tensor weight, Tensor? bias = null, long[]? stride = null, long[]? padding = null,
                long[]? output_padding = null, long groups = 1, long[]? dilation = null) =>
                ConvTranspose(2, input, weight, bias, stride, padding, output_padding, groups, dilation);

            // ---- pooling ----
            private static unsafe Tensor MaxPool(int dims, Tensor input, long[] kernel, long[]? stride, long[]? padding, long[]? dilation, bool ceil)
            {
                var k = Expand(kernel, dims, 1);
                var s = stride is null || stride.Length == 0 ? k : Expand(stride, dims, 1);
                var p = Expand(padding, dims, 0);
                var d = Expand(dilation, dims, 1);
                fixed (long* pk = k, ps = s, pp = p, pd = d)
                    return W(NativeMethods.nsmt_max_pool(dims, input.Handle, pk, ps, pp, pd, ceil ? 1 : 0));
            }

            private static unsafe Tensor AvgPool(int dims, Tensor input, long[] kernel, long[]? stride, long[]? padding, bool ceil, bool countIncludePad)
            {
                var k = Expand(kernel, dims, 1);
                var s = stride is null || stride.Length == 0 ? k : Expand(stride, dims, 1);
                var p = Expand(padding, dims, 0);
                fixed (long* pk = k, ps = s, pp = p)
                    return W(NativeMethods.nsmt_avg_pool(dims, input.Handle, pk, ps, pp, ceil ? 1 : 0, countIncludePad ? 1 : 0));
            }

            public static Tensor max_pool1d(Tensor input, long kernel_size, long? stride = null, long padding = 0, long dilation = 1, bool ceil_mode = false) =>
                MaxPool(1, input, [kernel_size], stride is { } s ? [s] : null, [padding], [dilation], ceil_mode);

            public static Tensor max_pool2d(Tensor input, long[] kernel_size, long[]? strides = null, long[]? padding = null, long[]? dilation = null, bool ceil_mode = false) =>
                MaxPool(2, input, kernel_size, strides, padding, dilation, ceil_mode);

            public static Tensor avg_pool1d(Tensor input, long kernel_size, long? stride = null, long padding = 0, bool ceil_mode = false, bool count_include_pad = true) =>
                AvgPool(1, input, [kernel_size], stride is { } s ? [s] : null, [padding], ceil_mode, count_include_pad);

            public static Tensor avg_pool2d(Tensor input, long[] kernel_size, long[]? strides = null, long[]? padding = null, bool ceil_mode = false, bool count_include_pad = true) =>
                AvgPool(2, input, kernel_size, strides, padding, ceil_mode, count_include_pad);

            public static unsafe Tensor adaptive_avg_pool1d(Tensor input, long output_size)
            {
                long o = output_size;
                return W(NativeMethods.nsmt_adaptive_avg_pool(1, input.Handle, &o));
            }

            public static unsafe Tensor adaptive_avg_pool2d(Tensor input, long[] output_size)
            {
                var o = Expand(output_size, 2, 1);
                fixed (long* p = o)
                    return W(NativeMethods.nsmt_adaptive_avg_pool(2, input.Handle, p));
            }

            public static unsafe Tensor adaptive_max_pool2d(Tensor input, long[] output_size)
            {
                var o = Expand(output_size, 2, 1);
                fixed (long* p = o)
                    return W(NativeMethods.nsmt_adaptive_max_pool(2, input.Handle, p));
            }

            // ---- normalisation ----
            public static Tensor batch_norm(Tensor input, Tensor? running_mean, Tensor? running_var, Tensor? weight = null, Tensor? bias = null,
                bool training = false, double momentum = 0.1, double eps = 1e-5) =>
                W(NativeMethods.nsmt_batch_norm(input.Handle, H(weight), H(bias), H(running_mean), H(running_var), training ? 1 : 0, momentum, eps));

            public static unsafe Tensor layer_norm(Tensor input, long[] normalized_shape, Tensor? weight = null, Tensor? bias = null, double eps = 1e-5)
            {
                fixed (long* p = normalized_shape)
                    return W(NativeMethods.nsmt_layer_norm(input.Handle, p, normalized_shape.Length, H(weight), H(bias), eps));
            }

            public static Tensor group_norm(Tensor input, long num_groups, Tensor? weight = null, Tensor? bias = null, double eps = 1e-5) =>
                W(NativeMethods.nsmt_group_norm(input.Handle, num_groups, H(weight), H(bias), eps));

            // ---- activations ----
            public static Tensor relu(Tensor x) => x.relu();
            public static Tensor tanh(Tensor x) => x.tanh();
            public static Tensor sigmoid(Tensor x) => x.sigmoid();
            public static Tensor silu(Tensor x) => x.silu();
            public static Tensor gelu(Tensor x, string approximate = "none") => W(NativeMethods.nsmt_gelu(x.Handle, approximate == "tanh" ? 1 : 0));
            public static Tensor leaky_relu(Tensor x, double negative_slope = 0.01) => W(NativeMethods.nsmt_leaky_relu(x.Handle, negative_slope));
            public static Tensor elu(Tensor x, double alpha = 1.0) => W(NativeMethods.nsmt_elu(x.Handle, alpha));
            public static Tensor softplus(Tensor x, double beta = 1, double threshold = 20) => W(NativeMethods.nsmt_softplus(x.Handle, beta, threshold));
            public static Tensor hardtanh(Tensor x, double min_val = -1, double max_val = 1) => W(NativeMethods.nsmt_hardtanh(x.Handle, min_val, max_val));
            public static Tensor softmax(Tensor x, long dim) => W(NativeMethods.nsmt_softmax(x.Handle, dim));
            public static Tensor log_softmax(Tensor x, long dim) => W(NativeMethods.nsmt_log_softmax(x.Handle, dim));
            public static Tensor dropout(Tensor x, double p = 0.5, bool training = true) => W(NativeMethods.nsmt_dropout(x.Handle, p, training ? 1 : 0));
            public static Tensor embedding(Tensor input, Tensor weight, long padding_idx = -1) => W(NativeMethods.nsmt_embedding(weight.Handle, input.Handle, padding_idx));
            public static Tensor one_hot(Tensor x, long num_classes = -1) => W(NativeMethods.nsmt_one_hot(x.Handle, num_classes));
            public static Tensor linear(Tensor input, Tensor weight, Tensor? bias = null) => W(NativeMethods.nsmt_linear(input.Handle, weight.Handle, H(bias)));

            /// <summary>F.pad: pads as (last-dim left, last-dim right, second-last left, ...).</summary>
            public static unsafe Tensor pad(Tensor input, long[] pad, PaddingModes mode = PaddingModes.Zeros, double value = 0)
            {
                fixed (long* p = pad)
                    return W(NativeMethods.nsmt_pad(input.Handle, p, pad.Length, (int)mode, value));
            }

            // ---- losses ----
            public static Tensor cross_entropy(Tensor input, Tensor target, Tensor? weight = null, long ignore_index = -100,
                Reduction reduction = Reduction.Mean, double label_smoothing = 0.0) =>
                W(NativeMethods.nsmt_cross_entropy(input.Handle, target.Handle, H(weight), (int)reduction, ignore_index, label_smoothing));

            public static Tensor nll_loss(Tensor input, Tensor target, Tensor? weight = null, long ignore_index = -100, Reduction reduction = Reduction.Mean) =>
                W(NativeMethods.nsmt_nll_loss(input.Handle, target.Handle, H(weight), (int)reduction, ignore_index));

            public static Tensor mse_loss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean) =>
                W(NativeMethods.nsmt_mse_loss(input.Handle, target.Handle, (int)reduction));

            public static Tensor l1_loss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean) =>
                W(NativeMethods.nsmt_l1_loss(input.Handle, target.Handle, (int)reduction));

            public static Tensor smooth_l1_loss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean, double beta = 1.0) =>
                W(NativeMethods.nsmt_smooth_l1_loss(input.Handle, target.Handle, (int)reduction, beta));

            public static Tensor huber_loss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean, double delta = 1.0) =>
                W(NativeMethods.nsmt_huber_loss(input.Handle, target.Handle, (int)reduction, delta));

            public static Tensor kl_div(Tensor input, Tensor target, Reduction reduction = Reduction.Mean, bool log_target = false) =>
                W(NativeMethods.nsmt_kl_div(input.Handle, target.Handle, (int)reduction, log_target ? 1 : 0));

            public static Tensor binary_cross_entropy(Tensor input, Tensor target, Tensor? weight = null, Reduction reduction = Reduction.Mean) =>
                W(NativeMethods.nsmt_binary_cross_entropy(input.Handle, target.Handle, H(weight), (int)reduction));

            public static Tensor binary_cross_entropy_with_logits(Tensor input, Tensor target, Tensor? weight = null, Tensor? pos_weight = null,
                Reduction reduction = Reduction.Mean) =>
                W(NativeMethods.nsmt_bce_with_logits(input.Handle, target.Handle, H(weight), H(pos_weight), (int)reduction));

            // ---- recurrent (whole-sequence) ----
            /// <summary>LSTM over a sequence; parameters in PyTorch's flat order. Returns (output, h_n, c_n).</summary>
            public static unsafe (Tensor output, Tensor h_n, Tensor c_n) lstm(Tensor input, Tensor h0, Tensor c0, IReadOnlyList<Tensor> parameters,
                bool has_biases, long num_layers, double dropout, bool train, bool bidirectional, bool batch_first)
            {
                var handles = Handles(parameters);
                IntPtr o, h, c;
                fixed (IntPtr* p = handles)
                    Check.Status(NativeMethods.nsmt_lstm(input.Handle, h0.Handle, c0.Handle, p, handles.Length, has_biases ? 1 : 0, num_layers, dropout,
                        train ? 1 : 0, bidirectional ? 1 : 0, batch_first ? 1 : 0, out o, out h, out c));
                return (W(o), W(h), W(c));
            }

            public static unsafe (Tensor output, Tensor h_n) gru(Tensor input, Tensor h0, IReadOnlyList<Tensor> parameters,
                bool has_biases, long num_layers, double dropout, bool train, bool bidirectional, bool batch_first)
            {
                var handles = Handles(parameters);
                IntPtr o, h;
                fixed (IntPtr* p = handles)
                    Check.Status(NativeMethods.nsmt_gru(input.Handle, h0.Handle, p, handles.Length, has_biases ? 1 : 0, num_layers, dropout,
                        train ? 1 : 0, bidirectional ? 1 : 0, batch_first ? 1 : 0, out o, out h));
                return (W(o), W(h));
            }
        }
    }
}
