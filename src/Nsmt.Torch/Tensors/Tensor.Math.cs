using Nsmt.Torch.Native;

namespace Nsmt.Torch;

public partial class Tensor
{
    private static readonly NativeScalar One = NativeScalar.Of(1L);

    private Tensor Unary(UnaryOp op) => Wrap(NativeMethods.nsmt_unary(Handle, (int)op));

    private Tensor Unary_(UnaryOp op)
    {
        Check.Status(NativeMethods.nsmt_unary_(Handle, (int)op));
        return this;
    }

    private Tensor Binary(Tensor other, BinaryOp op, Scalar? alpha = null) =>
        Wrap(NativeMethods.nsmt_binary(Handle, other.Handle, (int)op, alpha is { } a ? NativeScalar.Of(a) : One));

    private Tensor Binary_(Tensor other, BinaryOp op, Scalar? alpha = null)
    {
        Check.Status(NativeMethods.nsmt_binary_(Handle, other.Handle, (int)op, alpha is { } a ? NativeScalar.Of(a) : One));
        return this;
    }

    private Tensor BinaryScalar(Scalar other, BinaryOp op, Scalar? alpha = null, bool reversed = false) =>
        Wrap(NativeMethods.nsmt_binary_scalar(Handle, NativeScalar.Of(other), (int)op, reversed ? 1 : 0, alpha is { } a ? NativeScalar.Of(a) : One));

    private Tensor BinaryScalar_(Scalar other, BinaryOp op, Scalar? alpha = null)
    {
        Check.Status(NativeMethods.nsmt_binary_scalar_(Handle, NativeScalar.Of(other), (int)op, alpha is { } a ? NativeScalar.Of(a) : One));
        return this;
    }

    // ---- operators (as in TorchSharp: arithmetic and ordering comparisons return tensors) ----
    public static Tensor operator +(Tensor a, Tensor b) => a.add(b);
    public static Tensor operator +(Tensor a, Scalar b) => a.add(b);
    public static Tensor operator +(Scalar a, Tensor b) => b.add(a);
    public static Tensor operator -(Tensor a, Tensor b) => a.sub(b);
    public static Tensor operator -(Tensor a, Scalar b) => a.sub(b);
    public static Tensor operator -(Scalar a, Tensor b) => b.BinaryScalar(a, BinaryOp.Sub, reversed: true);
    public static Tensor operator *(Tensor a, Tensor b) => a.mul(b);
    public static Tensor operator *(Tensor a, Scalar b) => a.mul(b);
    public static Tensor operator *(Scalar a, Tensor b) => b.mul(a);
    public static Tensor operator /(Tensor a, Tensor b) => a.div(b);
    public static Tensor operator /(Tensor a, Scalar b) => a.div(b);
    public static Tensor operator /(Scalar a, Tensor b) => b.BinaryScalar(a, BinaryOp.Div, reversed: true);
    public static Tensor operator %(Tensor a, Tensor b) => a.remainder(b);
    public static Tensor operator %(Tensor a, Scalar b) => a.remainder(b);
    public static Tensor operator -(Tensor a) => a.neg();
    public static Tensor operator <(Tensor a, Tensor b) => a.lt(b);
    public static Tensor operator <(Tensor a, Scalar b) => a.lt(b);
    public static Tensor operator >(Tensor a, Tensor b) => a.gt(b);
    public static Tensor operator >(Tensor a, Scalar b) => a.gt(b);
    public static Tensor operator <=(Tensor a, Tensor b) => a.le(b);
    public static Tensor operator <=(Tensor a, Scalar b) => a.le(b);
    public static Tensor operator >=(Tensor a, Tensor b) => a.ge(b);
    public static Tensor operator >=(Tensor a, Scalar b) => a.ge(b);
    public static Tensor operator &(Tensor a, Tensor b) => a.dtype == ScalarType.Bool ? a.logical_and(b) : a.bitwise_and(b);
    public static Tensor operator |(Tensor a, Tensor b) => a.dtype == ScalarType.Bool ? a.logical_or(b) : a.bitwise_or(b);

    /// <summary>scalar ** tensor.</summary>
    public static Tensor pow(Scalar self, Tensor exponent) => exponent.BinaryScalar(self, BinaryOp.Pow, reversed: true);
    public Tensor rsub(Scalar other) => BinaryScalar(other, BinaryOp.Sub, reversed: true);

    // ---- other element-wise ----
    public unsafe Tensor clamp(Scalar? min = null, Scalar? max = null)
    {
        NativeScalar lo = min is { } a ? NativeScalar.Of(a) : default, hi = max is { } b ? NativeScalar.Of(b) : default;
        return Wrap(NativeMethods.nsmt_clamp(Handle, min.HasValue ? &lo : null, max.HasValue ? &hi : null));
    }

    public unsafe Tensor clamp_(Scalar? min = null, Scalar? max = null)
    {
        NativeScalar lo = min is { } a ? NativeScalar.Of(a) : default, hi = max is { } b ? NativeScalar.Of(b) : default;
        Check.Status(NativeMethods.nsmt_clamp_(Handle, min.HasValue ? &lo : null, max.HasValue ? &hi : null));
        return this;
    }

    public Tensor clip(Scalar? min = null, Scalar? max = null) => clamp(min, max);
    public Tensor masked_fill(Tensor mask, Scalar value) => Wrap(NativeMethods.nsmt_masked_fill(Handle, mask.Handle, NativeScalar.Of(value)));

    public Tensor masked_fill_(Tensor mask, Scalar value)
    {
        Check.Status(NativeMethods.nsmt_masked_fill_(Handle, mask.Handle, NativeScalar.Of(value)));
        return this;
    }

    public Tensor addcmul(Tensor a, Tensor b, Scalar? value = null) => Wrap(NativeMethods.nsmt_addcmul(Handle, a.Handle, b.Handle, NativeScalar.Of(value ?? 1)));
    public Tensor addcdiv(Tensor a, Tensor b, Scalar? value = null) => Wrap(NativeMethods.nsmt_addcdiv(Handle, a.Handle, b.Handle, NativeScalar.Of(value ?? 1)));
    public Tensor lerp(Tensor end, Scalar weight) => Wrap(NativeMethods.nsmt_lerp(Handle, end.Handle, NativeScalar.Of(weight)));
    public Tensor where(Tensor condition, Tensor other) => torch.where(condition, this, other);

    // ---- in-place random fills (the default generator, as in PyTorch) ----
    public Tensor uniform_(double from = 0, double to = 1)
    {
        Check.Status(NativeMethods.nsmt_uniform_(Handle, from, to));
        return this;
    }

    public Tensor normal_(double mean = 0, double std = 1)
    {
        Check.Status(NativeMethods.nsmt_normal_(Handle, mean, std));
        return this;
    }

    public Tensor bernoulli_(double p = 0.5)
    {
        Check.Status(NativeMethods.nsmt_bernoulli_(Handle, p));
        return this;
    }

    // ---- reductions ----
    private unsafe Tensor Reduce(ReduceOp op, long[]? dims, bool keepdim, long correction = 1, double p = 2)
    {
        fixed (long* d = dims)
            return Wrap(NativeMethods.nsmt_reduce(Handle, (int)op, d, dims?.Length ?? -1, keepdim ? 1 : 0, correction, p));
    }

    public Tensor sum() => Reduce(ReduceOp.Sum, null, false);
    public Tensor sum(long dim, bool keepdim = false) => Reduce(ReduceOp.Sum, [dim], keepdim);
    public Tensor sum(long[] dims, bool keepdim = false) => Reduce(ReduceOp.Sum, dims, keepdim);
    public Tensor mean() => Reduce(ReduceOp.Mean, null, false);
    public Tensor mean(long dim, bool keepdim = false) => Reduce(ReduceOp.Mean, [dim], keepdim);
    public Tensor mean(long[] dims, bool keepdim = false) => Reduce(ReduceOp.Mean, dims, keepdim);
    public Tensor prod() => Reduce(ReduceOp.Prod, null, false);
    public Tensor prod(long dim, bool keepdim = false) => Reduce(ReduceOp.Prod, [dim], keepdim);
    public Tensor max() => Reduce(ReduceOp.Amax, null, false);
    public Tensor min() => Reduce(ReduceOp.Amin, null, false);
    public Tensor amax(long[] dims, bool keepdim = false) => Reduce(ReduceOp.Amax, dims, keepdim);
    public Tensor amin(long[] dims, bool keepdim = false) => Reduce(ReduceOp.Amin, dims, keepdim);
    public Tensor std(bool unbiased = true) => Reduce(ReduceOp.Std, null, false, unbiased ? 1 : 0);
    public Tensor std(long dim, bool unbiased = true, bool keepdim = false) => Reduce(ReduceOp.Std, [dim], keepdim, unbiased ? 1 : 0);
    public Tensor std(long[] dims, bool unbiased = true, bool keepdim = false) => Reduce(ReduceOp.Std, dims, keepdim, unbiased ? 1 : 0);
    public Tensor var(bool unbiased = true) => Reduce(ReduceOp.Var, null, false, unbiased ? 1 : 0);
    public Tensor var(long dim, bool unbiased = true, bool keepdim = false) => Reduce(ReduceOp.Var, [dim], keepdim, unbiased ? 1 : 0);
    public Tensor var(long[] dims, bool unbiased = true, bool keepdim = false) => Reduce(ReduceOp.Var, dims, keepdim, unbiased ? 1 : 0);
    public Tensor logsumexp(long dim, bool keepdim = false) => Reduce(ReduceOp.LogSumExp, [dim], keepdim);
    public Tensor all() => Reduce(ReduceOp.All, null, false);
    public Tensor all(long dim, bool keepdim = false) => Reduce(ReduceOp.All, [dim], keepdim);
    public Tensor any() => Reduce(ReduceOp.Any, null, false);
    public Tensor any(long dim, bool keepdim = false) => Reduce(ReduceOp.Any, [dim], keepdim);
    public Tensor norm(double p = 2) => Reduce(ReduceOp.Norm, null, false, p: p);
    public Tensor norm(long[] dims, bool keepdim = false, double p = 2) => Reduce(ReduceOp.Norm, dims, keepdim, p: p);

    /// <summary>Maximum along a dim: (values, indices).</summary>
    public (Tensor values, Tensor indexes) max(long dim, bool keepdim = false)
    {
        Check.Status(NativeMethods.nsmt_max_dim(Handle, dim, keepdim ? 1 : 0, 0, out var v, out var i));
        return (Wrap(v), Wrap(i));
    }

    public (Tensor values, Tensor indexes) min(long dim, bool keepdim = false)
    {
        Check.Status(NativeMethods.nsmt_max_dim(Handle, dim, keepdim ? 1 : 0, 1, out var v, out var i));
        return (Wrap(v), Wrap(i));
    }

    public Tensor argmax() => Wrap(NativeMethods.nsmt_argmax(Handle, 0, 0, 0, 0));
    public Tensor argmax(long dim, bool keepdim = false) => Wrap(NativeMethods.nsmt_argmax(Handle, dim, 1, keepdim ? 1 : 0, 0));
    public Tensor argmin() => Wrap(NativeMethods.nsmt_argmax(Handle, 0, 0, 0, 1));
    public Tensor argmin(long dim, bool keepdim = false) => Wrap(NativeMethods.nsmt_argmax(Handle, dim, 1, keepdim ? 1 : 0, 1));

    public (Tensor values, Tensor indexes) topk(long k, long dim = -1, bool largest = true, bool sorted = true)
    {
        Check.Status(NativeMethods.nsmt_topk(Handle, k, dim, largest ? 1 : 0, sorted ? 1 : 0, out var v, out var i));
        return (Wrap(v), Wrap(i));
    }

    public (Tensor values, Tensor indexes) sort(long dim = -1, bool descending = false)
    {
        Check.Status(NativeMethods.nsmt_sort(Handle, dim, descending ? 1 : 0, out var v, out var i));
        return (Wrap(v), Wrap(i));
    }

    public Tensor cumsum(long dim) => Wrap(NativeMethods.nsmt_cumsum(Handle, dim));

    // ---- linear algebra ----
    public Tensor matmul(Tensor other) => Wrap(NativeMethods.nsmt_matmul(Handle, other.Handle));
    public Tensor mm(Tensor other) => Wrap(NativeMethods.nsmt_mm(Handle, other.Handle));
    public Tensor bmm(Tensor other) => Wrap(NativeMethods.nsmt_bmm(Handle, other.Handle));
    public Tensor outer(Tensor other) => Wrap(NativeMethods.nsmt_outer(Handle, other.Handle));
}
