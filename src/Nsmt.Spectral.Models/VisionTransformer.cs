using System.Diagnostics.CodeAnalysis;
using Nsmt.Neural;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Nsmt.Spectral.Models;

public sealed record VisionTransformerOptions(
    int InputChannels = 1,
    int ImageHeight = 32,
    int ImageWidth = 32,
    int PatchSize = 8,
    int EmbedDim = 32,
    int Layers = 2,
    int AttentionHeads = 4,
    int ForwardMultiplier = 2,
    double Dropout = 0.2
);

/// <summary>Multi-head self-attention with separate q, k, v and output projections; scale 1/sqrt(head dim).</summary>
public sealed class SelfAttention : nn.Module<Tensor, Tensor>
{
    private readonly Linear _query;
    private readonly Linear _key;
    private readonly Linear _value;
    private readonly Linear _output;
    private readonly int _heads;

    public SelfAttention(int embedDim, int heads)
        : base(nameof(SelfAttention))
    {
        if (embedDim % heads != 0)
        {
            throw new ArgumentException(
                $"embedding dim {embedDim} must be divisible by the number of attention heads {heads}"
            );
        }

        this._heads = heads;
        register_module("query", _query = nn.Linear(embedDim, embedDim));
        register_module("key", _key = nn.Linear(embedDim, embedDim));
        register_module("value", _value = nn.Linear(embedDim, embedDim));
        register_module("out", _output = nn.Linear(embedDim, embedDim));
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var (b, n, e) = (x.size(0), x.size(1), x.size(2));
        var headDim = e / _heads;
        Tensor Split(Tensor t) => t.reshape(b, n, _heads, headDim).transpose(1, 2); // [B, A, N, D]
        var q = Split(_query.call(x));
        var k = Split(_key.call(x));
        var v = Split(_value.call(x));
        var attention = F.softmax(q.matmul(k.transpose(2, 3)) / Math.Sqrt(headDim), -1);
        var mixed = attention.matmul(v).transpose(1, 2).reshape(b, n, e);
        return _output.call(mixed).MoveToOuterDisposeScope();
    }
}

/// <summary>Pre-norm transformer encoder block: x += Drop(Attn(LN(x))); x += Drop(FC2(GELU(FC1(LN(x))))).</summary>
public sealed class EncoderBlock : nn.Module<Tensor, Tensor>
{
    private readonly LayerNorm _norm1;
    private readonly SelfAttention _attention;
    private readonly LayerNorm _norm2;
    private readonly Linear _fc1;
    private readonly Linear _fc2;
    private readonly Dropout _dropout;

    public EncoderBlock(int embedDim, int heads, int forwardMultiplier, double dropoutP)
        : base(nameof(EncoderBlock))
    {
        register_module("norm1", _norm1 = nn.LayerNorm(embedDim));
        register_module("attention", _attention = new SelfAttention(embedDim, heads));
        register_module("norm2", _norm2 = nn.LayerNorm(embedDim));
        register_module("fc1", _fc1 = nn.Linear(embedDim, embedDim * forwardMultiplier));
        register_module("fc2", _fc2 = nn.Linear(embedDim * forwardMultiplier, embedDim));
        register_module("dropout", _dropout = nn.Dropout(dropoutP));
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var h = x + _dropout.call(_attention.call(_norm1.call(x)));
        h = h + _dropout.call(_fc2.call(F.gelu(_fc1.call(_norm2.call(h)))));
        return h.MoveToOuterDisposeScope();
    }
}

/// <summary>
/// NSMT's VisionTransformer: patch embedding (conv, kernel = stride = patch), learnable position
/// embedding added to patch tokens, a CLS token prepended (without position), pre-norm encoder,
/// final LayerNorm, and per head Linear(E,E) -> Tanh -> Linear(E, classes) on the CLS output.
/// Non-square images are supported (e.g. 32x64 with 8-px patches).
/// </summary>
public sealed class VisionTransformer : MultiheadNetwork
{
    private readonly Conv2d _patchEmbedding;

    [SuppressMessage(
        "Style",
        "IDE1006",
        Justification = "TorchSharp's to() replaces a registered tensor through the field named like it"
    )]
    private readonly Parameter positionEmbedding;

    [SuppressMessage(
        "Style",
        "IDE1006",
        Justification = "TorchSharp's to() replaces a registered tensor through the field named like it"
    )]
    private readonly Parameter classToken;
    private readonly Dropout _dropout;
    private readonly ModuleList<EncoderBlock> _encoder;
    private readonly LayerNorm _norm;
    private readonly ModuleDict<nn.Module<Tensor, Tensor>> _heads;

    public VisionTransformer(
        VisionTransformerOptions options,
        IReadOnlyList<HeadSpec> heads,
        HeadKind kind = HeadKind.Classification,
        AuxiliaryOptions? auxiliary = null
    )
        : base(nameof(VisionTransformer), heads, kind, auxiliary)
    {
        if (options.ImageHeight % options.PatchSize != 0 || options.ImageWidth % options.PatchSize != 0)
        {
            throw new ArgumentException(
                $"image {options.ImageHeight}x{options.ImageWidth} is not divisible into {options.PatchSize}-px patches"
            );
        }

        Options = options;
        var e = options.EmbedDim;
        var patches = options.ImageHeight / options.PatchSize * (options.ImageWidth / options.PatchSize);
        register_module(
            "patch_embedding",
            _patchEmbedding = nn.Conv2d(options.InputChannels, e, options.PatchSize, stride: options.PatchSize)
        );
        positionEmbedding = nn.Parameter(zeros(1, patches, e));
        classToken = nn.Parameter(zeros(1, 1, e));
        register_parameter("position_embedding", positionEmbedding);
        register_parameter("cls_token", classToken);
        register_module("dropout", _dropout = nn.Dropout(options.Dropout));
        register_module(
            "encoder",
            _encoder = new ModuleList<EncoderBlock>(
                Enumerable
                    .Range(0, options.Layers)
                    .Select(_ => new EncoderBlock(
                        e,
                        options.AttentionHeads,
                        options.ForwardMultiplier,
                        options.Dropout
                    ))
                    .ToArray()
            )
        );
        register_module("norm", _norm = nn.LayerNorm(e));
        register_module(
            "heads",
            this._heads = BuildHeads(e, (h, width) =>
                nn.Sequential(nn.Linear(width, e), nn.Tanh(), nn.Linear(e, OutputWidth(h)))
            )
        );
        InitialiseWeights();
    }

    public VisionTransformerOptions Options { get; }

    // Truncated normal (std 0.02) for convolutions, linears, CLS and position embeddings; LayerNorm 1/0.
    private void InitialiseWeights()
    {
        foreach (var module in this.ModulesDepthFirst())
        {
            switch (module)
            {
                case Linear linear:
                    Initializers.TruncNormal(linear.weight, std: 0.02);
                    if (linear.bias is not null)
                    {
                        nn.init.zeros_(linear.bias);
                    }

                    break;
                case Conv2d conv:
                    Initializers.TruncNormal(conv.weight, std: 0.02);
                    if (conv.bias is not null)
                    {
                        nn.init.zeros_(conv.bias);
                    }

                    break;
            }
        }
        Initializers.TruncNormal(positionEmbedding, std: 0.02);
        Initializers.TruncNormal(classToken, std: 0.02);
    }

    public override IReadOnlyDictionary<string, Tensor> forward(Tensor input, Tensor? auxiliary)
    {
        using var scope = NewDisposeScope();
        var tokens = _patchEmbedding.call(input).flatten(2).transpose(1, 2); // [B, N, E]
        tokens = tokens + positionEmbedding;
        var cls = classToken.expand(input.size(0), -1, -1);
        var x = _dropout.call(cat([cls, tokens], 1));
        foreach (var block in _encoder)
        {
            x = block.call(x);
        }

        var pooled = _norm.call(x).select(1, 0);
        return ApplyHeads(_heads, pooled, auxiliary);
    }
}
