using Nsmt.Torch.Native;

namespace Nsmt.Torch;

public partial class Tensor
{
    public unsafe Tensor reshape(params long[] shape)
    {
        fixed (long* p = shape)
            return Wrap(NativeMethods.nsmt_reshape(Handle, p, shape.Length));
    }

    public unsafe Tensor view(params long[] shape)
    {
        fixed (long* p = shape)
            return Wrap(NativeMethods.nsmt_view(Handle, p, shape.Length));
    }

    public unsafe Tensor permute(params long[] dims)
    {
        fixed (long* p = dims)
            return Wrap(NativeMethods.nsmt_permute(Handle, p, dims.Length));
    }

    public Tensor transpose(long dim0, long dim1) => Wrap(NativeMethods.nsmt_transpose(Handle, dim0, dim1));
    public Tensor t() => transpose(0, 1);
    public Tensor T => transpose(0, 1);
    public Tensor flatten(long start_dim = 0, long end_dim = -1) => Wrap(NativeMethods.nsmt_flatten(Handle, start_dim, end_dim));

    public unsafe Tensor unflatten(long dim, params long[] sizes)
    {
        fixed (long* p = sizes)
            return Wrap(NativeMethods.nsmt_unflatten(Handle, dim, p, sizes.Length));
    }

    public Tensor squeeze() => Wrap(NativeMethods.nsmt_squeeze(Handle, 0, 1));
    public Tensor squeeze(long dim) => Wrap(NativeMethods.nsmt_squeeze(Handle, dim, 0));
    public Tensor unsqueeze(long dim) => Wrap(NativeMethods.nsmt_unsqueeze(Handle, dim));
    public Tensor narrow(long dim, long start, long length) => Wrap(NativeMethods.nsmt_narrow(Handle, dim, start, length));

    /// <summary>Elements start..end (exclusive) with a step along a dim, as Python's t[..., start:end:step].</summary>
    public Tensor slice(long dim, long start, long end, long step = 1) => Wrap(NativeMethods.nsmt_slice(Handle, dim, start, end, step));

    public Tensor select(long dim, long index) => Wrap(NativeMethods.nsmt_select(Handle, dim, index));

    /// <summary>t[i]: the i-th entry along the first dim.</summary>
    public Tensor this[long index] => select(0, index);

    public Tensor index_select(long dim, Tensor index) => Wrap(NativeMethods.nsmt_index_select(Handle, dim, index.Handle));
    public Tensor gather(long dim, Tensor index) => Wrap(NativeMethods.nsmt_gather(Handle, dim, index.Handle));
    public Tensor scatter(long dim, Tensor index, Tensor source) => Wrap(NativeMethods.nsmt_scatter(Handle, dim, index.Handle, source.Handle));
    public Tensor masked_select(Tensor mask) => Wrap(NativeMethods.nsmt_masked_select(Handle, mask.Handle));

    public unsafe Tensor expand(params long[] shape)
    {
        fixed (long* p = shape)
            return Wrap(NativeMethods.nsmt_expand(Handle, p, shape.Length));
    }

    public Tensor expand_as(Tensor other) => expand(other.shape);

    public unsafe Tensor repeat(params long[] repeats)
    {
        fixed (long* p = repeats)
            return Wrap(NativeMethods.nsmt_repeat(Handle, p, repeats.Length));
    }

    public unsafe Tensor flip(params long[] dims)
    {
        fixed (long* p = dims)
            return Wrap(NativeMethods.nsmt_flip(Handle, p, dims.Length));
    }

    public unsafe Tensor roll(long[] shifts, long[] dims)
    {
        fixed (long* s = shifts)
        fixed (long* d = dims)
            return Wrap(NativeMethods.nsmt_roll(Handle, s, shifts.Length, d, dims.Length));
    }

    public Tensor roll(long shift, long dim) => roll([shift], [dim]);
    public Tensor tril(long diagonal = 0) => Wrap(NativeMethods.nsmt_tril(Handle, diagonal, 0));
    public Tensor triu(long diagonal = 0) => Wrap(NativeMethods.nsmt_tril(Handle, diagonal, 1));

    public Tensor[] chunk(long chunks, long dim = 0)
    {
        var count = (size(dim) + ((size(dim) + chunks - 1) / chunks) - 1) / ((size(dim) + chunks - 1) / chunks);
        var result = new Tensor[count];
        for (var i = 0; i < count; i++)
            result[i] = Wrap(NativeMethods.nsmt_chunk_one(Handle, chunks, dim, i));
        return result;
    }

    public Tensor view_as_real() => Wrap(NativeMethods.nsmt_view_as_real(Handle));
    public Tensor view_as_complex() => Wrap(NativeMethods.nsmt_view_as_complex(Handle));
    public Tensor real => Wrap(NativeMethods.nsmt_real(Handle));
    public Tensor imag => Wrap(NativeMethods.nsmt_imag(Handle));
}
