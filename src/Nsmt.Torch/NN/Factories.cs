using Nsmt.Torch.Modules;

namespace Nsmt.Torch;

// TorchSharp-style factories: torch.nn.Linear(4, 3) rather than new Modules.Linear(4, 3).
public static partial class torch
{
    public static partial class nn
    {
        public static Modules.Linear Linear(long inputSize, long outputSize, bool hasBias = true, Device? device = null) => new(inputSize, outputSize, hasBias, device);

        public static Modules.Conv1d Conv1d(long inChannels, long outChannels, long kernelSize, long stride = 1, long padding = 0, long dilation = 1,
            long groups = 1, bool bias = true, Device? device = null) => new(inChannels, outChannels, kernelSize, stride, padding, dilation, groups, bias, device);

        public static Modules.Conv1d Conv1d(long inChannels, long outChannels, long kernelSize, Padding padding, long stride = 1, long dilation = 1,
            long groups = 1, bool bias = true, Device? device = null) => new(inChannels, outChannels, kernelSize, padding, stride, dilation, groups, bias, device);

        public static Modules.Conv2d Conv2d(long inChannels, long outChannels, long kernelSize, long stride = 1, long padding = 0, long dilation = 1,
            long groups = 1, bool bias = true, Device? device = null) => new(inChannels, outChannels, kernelSize, stride, padding, dilation, groups, bias, device);

        public static Modules.Conv2d Conv2d(long inChannels, long outChannels, long kernelSize, Padding padding, long stride = 1, long dilation = 1,
            long groups = 1, bool bias = true, Device? device = null) => new(inChannels, outChannels, kernelSize, padding, stride, dilation, groups, bias, device);

        public static ConvTranspose1d ConvTranspose1d(long inChannels, long outChannels, long kernelSize, long stride = 1, long padding = 0,
            long outputPadding = 0, long groups = 1, bool bias = true, long dilation = 1, Device? device = null) =>
            new(inChannels, outChannels, kernelSize, stride, padding, outputPadding, groups, bias, dilation, device);

        public static Modules.BatchNorm1d BatchNorm1d(long features, double eps = 1e-5, double? momentum = 0.1, bool affine = true, bool track_running_stats = true) =>
            new(features, eps, momentum, affine, track_running_stats);

        public static Modules.BatchNorm2d BatchNorm2d(long features, double eps = 1e-5, double? momentum = 0.1, bool affine = true, bool track_running_stats = true) =>
            new(features, eps, momentum, affine, track_running_stats);

        public static Modules.LayerNorm LayerNorm(long normalizedShape, double eps = 1e-5, bool elementwiseAffine = true) => new(normalizedShape, eps, elementwiseAffine);
        public static Modules.LayerNorm LayerNorm(long[] normalizedShape, double eps = 1e-5, bool elementwiseAffine = true) => new(normalizedShape, eps, elementwiseAffine);
        public static Modules.GroupNorm GroupNorm(long numGroups, long numChannels, double eps = 1e-5, bool affine = true) => new(numGroups, numChannels, eps, affine);
        public static Modules.Dropout Dropout(double p = 0.5) => new(p);
        public static Modules.ReLU ReLU() => new();
        public static Modules.GELU GELU(string approximate = "none") => new(approximate);
        public static Modules.Tanh Tanh() => new();
        public static Modules.Sigmoid Sigmoid() => new();
        public static Modules.SiLU SiLU() => new();
        public static Modules.LeakyReLU LeakyReLU(double negativeSlope = 0.01) => new(negativeSlope);
        public static Modules.Softmax Softmax(long dim) => new(dim);
        public static Modules.Identity Identity() => new();
        public static Modules.Flatten Flatten(long startDim = 1, long endDim = -1) => new(startDim, endDim);
        public static Modules.MaxPool1d MaxPool1d(long kernelSize, long? stride = null, long padding = 0) => new(kernelSize, stride, padding);
        public static Modules.AvgPool1d AvgPool1d(long kernelSize, long? stride = null, long padding = 0) => new(kernelSize, stride, padding);
        public static Modules.MaxPool2d MaxPool2d(long kernelSize, long? stride = null, long padding = 0) => new(kernelSize, stride, padding);
        public static Modules.AvgPool2d AvgPool2d(long kernelSize, long? stride = null, long padding = 0) => new(kernelSize, stride, padding);
        public static Modules.AdaptiveAvgPool1d AdaptiveAvgPool1d(long outputSize) => new(outputSize);
        public static Modules.AdaptiveAvgPool2d AdaptiveAvgPool2d(long outputSize) => new(outputSize);
        public static Modules.AdaptiveAvgPool2d AdaptiveAvgPool2d(long[] outputSize) => new(outputSize);
        public static Modules.Sequential Sequential(params Module<Tensor, Tensor>[] modules) => new(modules);
        public static Modules.Sequential Sequential(params (string name, Module<Tensor, Tensor> module)[] modules) => new(modules);
        public static ModuleList<T> ModuleList<T>(params T[] modules) where T : Module => new(modules);
        public static Modules.Embedding Embedding(long numEmbeddings, long embeddingDim, long? paddingIdx = null) => new(numEmbeddings, embeddingDim, paddingIdx);

        public static Modules.LSTM LSTM(long inputSize, long hiddenSize, long numLayers = 1, bool bias = true, bool batchFirst = false, double dropout = 0,
            bool bidirectional = false) => new(inputSize, hiddenSize, numLayers, bias, batchFirst, dropout, bidirectional);

        public static Modules.GRU GRU(long inputSize, long hiddenSize, long numLayers = 1, bool bias = true, bool batchFirst = false, double dropout = 0,
            bool bidirectional = false) => new(inputSize, hiddenSize, numLayers, bias, batchFirst, dropout, bidirectional);

        public static partial class utils
        {
            /// <summary>Scales gradients so their global norm is at most max_norm; returns the norm before clipping.</summary>
            public static unsafe double clip_grad_norm_(IEnumerable<Tensor> parameters, double max_norm, double norm_type = 2.0)
            {
                var handles = Handles(parameters.ToList());
                fixed (IntPtr* p = handles)
                    return Native.Check.Value(Native.NativeMethods.nsmt_clip_grad_norm(p, handles.Length, max_norm, norm_type));
            }

            public static unsafe void clip_grad_value_(IEnumerable<Tensor> parameters, double clip_value)
            {
                var handles = Handles(parameters.ToList());
                fixed (IntPtr* p = handles)
                    Native.Check.Status(Native.NativeMethods.nsmt_clip_grad_value(p, handles.Length, clip_value));
            }
        }
    }
}
