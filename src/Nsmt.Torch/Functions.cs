using Nsmt.Torch.Native;

namespace Nsmt.Torch;

// Free functions of the torch namespace that are not factories.
public static partial class torch
{
    public static Tensor where(Tensor condition, Tensor a, Tensor b) => Tensor.Wrap(NativeMethods.nsmt_where(condition.Handle, a.Handle, b.Handle));

    public static unsafe Tensor cat(IReadOnlyList<Tensor> tensors, long dim = 0)
    {
        var handles = Handles(tensors);
        fixed (IntPtr* p = handles)
            return Tensor.Wrap(NativeMethods.nsmt_cat(p, handles.Length, dim));
    }

    public static unsafe Tensor stack(IReadOnlyList<Tensor> tensors, long dim = 0)
    {
        var handles = Handles(tensors);
        fixed (IntPtr* p = handles)
            return Tensor.Wrap(NativeMethods.nsmt_stack(p, handles.Length, dim));
    }

    public static unsafe Tensor einsum(string equation, params Tensor[] operands)
    {
        var handles = Handles(operands);
        fixed (IntPtr* p = handles)
            return Tensor.Wrap(NativeMethods.nsmt_einsum(equation, p, handles.Length));
    }

    internal static IntPtr[] Handles(IReadOnlyList<Tensor> tensors)
    {
        var handles = new IntPtr[tensors.Count];
        for (var i = 0; i < handles.Length; i++)
            handles[i] = tensors[i].Handle;
        return handles;
    }

    public static Tensor matmul(Tensor a, Tensor b) => a.matmul(b);
    public static Tensor mm(Tensor a, Tensor b) => a.mm(b);
    public static Tensor bmm(Tensor a, Tensor b) => a.bmm(b);
    public static Tensor pow(Tensor a, Tensor b) => a.pow(b);
    public static Tensor pow(Tensor a, Scalar b) => a.pow(b);
    public static Tensor sqrt(Tensor t) => t.sqrt();
    public static Tensor exp(Tensor t) => t.exp();
    public static Tensor log(Tensor t) => t.log();
    public static Tensor abs(Tensor t) => t.abs();
    public static Tensor tanh(Tensor t) => t.tanh();
    public static Tensor sigmoid(Tensor t) => t.sigmoid();
    public static Tensor clamp(Tensor t, Scalar? min = null, Scalar? max = null) => t.clamp(min, max);
    public static Tensor maximum(Tensor a, Tensor b) => a.maximum(b);
    public static Tensor minimum(Tensor a, Tensor b) => a.minimum(b);
    public static Tensor sum(Tensor t) => t.sum();
    public static Tensor mean(Tensor t) => t.mean();
    public static Tensor argmax(Tensor t, long dim, bool keepdim = false) => t.argmax(dim, keepdim);
    public static Tensor flatten(Tensor t, long start_dim = 0, long end_dim = -1) => t.flatten(start_dim, end_dim);
    public static Tensor transpose(Tensor t, long dim0, long dim1) => t.transpose(dim0, dim1);
    public static Tensor squeeze(Tensor t, long dim) => t.squeeze(dim);
    public static Tensor unsqueeze(Tensor t, long dim) => t.unsqueeze(dim);
    public static Tensor reshape(Tensor t, params long[] shape) => t.reshape(shape);
    public static Tensor narrow(Tensor t, long dim, long start, long length) => t.narrow(dim, start, length);
    public static Tensor index_select(Tensor t, long dim, Tensor index) => t.index_select(dim, index);
    public static Tensor masked_fill(Tensor t, Tensor mask, Scalar value) => t.masked_fill(mask, value);

    /// <summary>Short-time Fourier transform; returns a complex tensor (return_complex=True semantics).</summary>
    public static Tensor stft(Tensor input, long n_fft, long hop_length = -1, long win_length = -1, Tensor? window = null,
        bool center = true, string pad_mode = "reflect", bool normalized = false, bool onesided = true) =>
        Tensor.Wrap(NativeMethods.nsmt_stft(input.Handle, n_fft, hop_length > 0 ? hop_length : n_fft / 4, win_length > 0 ? win_length : n_fft,
            window?.Handle ?? IntPtr.Zero, center ? 1 : 0, pad_mode, normalized ? 1 : 0, onesided ? 1 : 0));

    public static Tensor istft(Tensor input, long n_fft, long hop_length = -1, long win_length = -1, Tensor? window = null,
        bool center = true, bool normalized = false, bool onesided = true, long length = -1) =>
        Tensor.Wrap(NativeMethods.nsmt_istft(input.Handle, n_fft, hop_length > 0 ? hop_length : n_fft / 4, win_length > 0 ? win_length : n_fft,
            window?.Handle ?? IntPtr.Zero, center ? 1 : 0, normalized ? 1 : 0, onesided ? 1 : 0, length));
}
