using F = TorchSharp.torch.nn.functional;

namespace Engine.Tests;

public class ShapeAndLinearAlgebraTests
{
    [Fact]
    public void Shape_operators_match_pytorch()
    {
        using var scope = NewDisposeScope();
        var a = Golden.Get("shape.a");
        Golden.AssertEqual(Golden.Get("shape.permute"), a.permute(2, 0, 1), "permute");
        Golden.AssertEqual(Golden.Get("shape.cat1"), cat([a, a * 2], 1), "cat");
        Golden.AssertEqual(Golden.Get("shape.stack2"), stack([a, a + 1], 2), "stack");
        Golden.AssertEqual(Golden.Get("shape.narrow"), a.narrow(2, 1, 2), "narrow");
        Golden.AssertEqual(Golden.Get("shape.slice"), a.slice(2, 1, 4, 2), "slice");
        Golden.AssertEqual(
            Golden.Get("shape.index_select"),
            a.index_select(1, tensor(new long[] { 2, 0 })),
            "index_select"
        );
        Golden.AssertEqual(Golden.Get("shape.pad_constant"), F.pad(a, [1, 2, 0, 1], value: 0.5), "pad constant");
        Golden.AssertEqual(Golden.Get("shape.pad_reflect"), F.pad(a, [2, 1], PaddingModes.Reflect), "pad reflect");
        Golden.AssertEqual(Golden.Get("shape.transpose"), a.transpose(0, 2), "transpose");
        Golden.AssertEqual(Golden.Get("shape.flip"), a.flip(1), "flip");
        Golden.AssertEqual(Golden.Get("shape.expand"), a.narrow(1, 0, 1).expand(2, 3, 4), "expand");
    }

    [Fact]
    public void Views_share_storage_and_reshape_flatten_squeeze_agree()
    {
        using var scope = NewDisposeScope();
        var t = arange(0, 24).reshape(2, 3, 4);
        Assert.Equal(new long[] { 6, 4 }, t.view(6, 4).shape);
        Assert.Equal(new long[] { 2, 12 }, t.flatten(1).shape);
        Assert.Equal(new long[] { 2, 1, 3, 4 }, t.unsqueeze(1).shape);
        Assert.Equal(new long[] { 2, 3, 4 }, t.unsqueeze(1).squeeze(1).shape);
        var v = t.view(24);
        v.narrow(0, 0, 1).fill_(100);
        Assert.Equal(100L, t[0][0][0].item<long>());
        Assert.False(t.transpose(0, 2).is_contiguous());
        Assert.True(t.transpose(0, 2).contiguous().is_contiguous());
        Assert.Equal(3, t.chunk(3, 1).Length);
        Assert.Equal(2, t.chunk(3, 2).Length); // 4 elements in chunks of ceil(4/3) = 2, as torch.chunk
    }

    [Fact]
    public void Matrix_products_match_pytorch()
    {
        using var scope = NewDisposeScope();
        var m1 = Golden.Get("la.m1");
        var m2 = Golden.Get("la.m2");
        Golden.AssertClose("la.matmul", m1.matmul(m2), 1e-5);
        Golden.AssertClose("la.linear", F.linear(m1, m2.t(), Golden.Get("la.bias")), 1e-5);
        Golden.AssertClose("la.bmm", bmm(Golden.Get("la.b1"), Golden.Get("la.b2")), 1e-5);
    }
}
