using Nsmt.Spectral.Models;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Nsmt.Diagrams.Tests;

public class ModelGraphTests
{
    private static string Dot(string name, GraphOptions? options = null, HeadKind kind = HeadKind.Classification)
    {
        using var model = TestModels.Build(name, kind);
        using var x = rand(1, 1, 32, 32);
        return ModelGraph.ToDot(ModelTrace.Capture(model, x), options);
    }

    [Fact]
    public void Cnn_is_a_chain_from_the_input_that_fans_out_into_one_output_per_head()
    {
        var graph = DotGraph.Parse(Dot("SimpleCnn"));
        var expected = new List<(string, string)> { ("input", "features.0") };
        var chain = new[]
        {
            "features.0",
            "features.1",
            "features.2",
            "features.3",
            "features.4",
            "features.5",
            "features.6",
            "features.7",
            "features.8",
            "shared.0",
            "shared.1",
            "shared.2",
            "shared.3",
        };
        expected.AddRange(chain.Zip(chain.Skip(1)));
        expected.AddRange([
            ("shared.3", "heads.note_velocity"),
            ("shared.3", "heads.log10_decay_time"),
            ("heads.note_velocity", "output0"),
            ("heads.log10_decay_time", "output1"),
        ]);
        Assert.Equal(expected, graph.NamedEdges);
    }

    [Fact]
    public void Regression_heads_fan_out_through_their_sigmoids()
    {
        var edges = DotGraph.Parse(Dot("SimpleMlp", kind: HeadKind.Regression)).NamedEdges.ToList();
        Assert.Contains(("model.9", "heads.note_velocity.0"), edges);
        Assert.Contains(("model.9", "heads.log10_decay_time.0"), edges);
        Assert.Contains(("heads.note_velocity.1", "output0"), edges);
        Assert.Contains(("heads.log10_decay_time.1", "output1"), edges);
    }

    [Fact]
    public void Attention_joins_query_key_and_value_into_the_output_projection()
    {
        var edges = DotGraph.Parse(Dot("VisionTransformer")).NamedEdges.ToList();
        foreach (var block in new[] { "encoder.0", "encoder.1" })
        {
            foreach (var projection in new[] { "query", "key", "value" })
            {
                Assert.Contains(($"{block}.norm1", $"{block}.attention.{projection}"), edges);
                Assert.Contains(($"{block}.attention.{projection}", $"{block}.attention.out"), edges);
            }
        }
        Assert.Contains(("input", "patch_embedding"), edges);
        Assert.Contains(("patch_embedding", "dropout"), edges); // through the class token concatenation
        Assert.Contains(("norm", "heads.note_velocity.0"), edges);
        Assert.Contains(("norm", "heads.log10_decay_time.0"), edges);
    }

    [Fact]
    public void Every_layer_that_ran_is_reached_from_the_input_and_reaches_an_output()
    {
        foreach (var name in TestModels.Names)
        {
            var graph = DotGraph.Parse(Dot(name));
            var forward = Reachable("input", graph.Edges);
            var backward = graph
                .Names.Keys.Where(id => id.StartsWith("output", StringComparison.Ordinal))
                .SelectMany(o => Reachable(o, graph.Edges.Select(e => (e.To, e.From)).ToList()))
                .ToHashSet();
            foreach (var (id, path) in graph.Names)
            {
                Assert.True(forward.Contains(id), $"{name}: {path} is not reached from the input");
                Assert.True(backward.Contains(id), $"{name}: {path} does not lead to an output");
            }
        }
    }

    private static HashSet<string> Reachable(string start, List<(string From, string To)> edges)
    {
        var seen = new HashSet<string> { start };
        var queue = new Queue<string>([start]);
        while (queue.TryDequeue(out var node))
        {
            foreach (var (_, to) in edges.Where(e => e.From == node))
            {
                if (seen.Add(to))
                {
                    queue.Enqueue(to);
                }
            }
        }

        return seen;
    }

    [Fact]
    public void Output_is_deterministic_whatever_the_weights()
    {
        manual_seed(1);
        var first = Dot("ConvNeXtV2");
        manual_seed(2);
        Assert.Equal(first, Dot("ConvNeXtV2"));
    }

    [Fact]
    public void Depth_limit_draws_blocks_as_single_nodes()
    {
        var graph = DotGraph.Parse(Dot("SimpleCnn", new GraphOptions { MaxDepth = 1 }));
        Assert.Equal(
            [
                ("input", "features"),
                ("features", "shared"),
                ("shared", "heads.note_velocity"),
                ("shared", "heads.log10_decay_time"),
                ("heads.note_velocity", "output0"),
                ("heads.log10_decay_time", "output1"),
            ],
            graph.NamedEdges
        );
        Assert.Throws<ArgumentOutOfRangeException>(() => Dot("SimpleCnn", new GraphOptions { MaxDepth = 0 }));
    }

    [Fact]
    public void Layers_show_type_settings_shape_and_parameters()
    {
        var dot = Dot("SimpleCnn", new GraphOptions { Direction = GraphDirection.LeftToRight });
        Assert.Contains("rankdir=LR", dot, StringComparison.Ordinal);
        Assert.Contains(
            "label=\"4: Conv2d\\n8->16 k3 p1\\n[1, 16, 16, 16]\\n1,168 params\"",
            dot,
            StringComparison.Ordinal
        );
        Assert.Contains("label=\"3: Dropout\\np=0.2\\n[1, 32]\"", dot, StringComparison.Ordinal);
        Assert.Contains("label=\"log10_decay_time\\n[1, 24]\", shape=oval", dot, StringComparison.Ordinal);
        Assert.Contains("subgraph cluster_0 {", dot, StringComparison.Ordinal);
        Assert.Contains("label=\"features: Sequential\"", dot, StringComparison.Ordinal);
    }

    private sealed class Quoted() : nn.Module<Tensor, Tensor>("My\"Block\\")
    {
        private readonly Linear _inner = nn.Linear(2, 2);

        public override Tensor forward(Tensor input) => _inner.call(input);
    }

    [Fact]
    public void Names_are_escaped_and_graphviz_accepts_the_result()
    {
        using var model = new Quoted();
        using var x = ones(1, 2);
        var dot = ModelGraph.ToDot(ModelTrace.Capture(model, x));
        Assert.Contains("digraph \"My\\\"Block\\\\\" {", dot, StringComparison.Ordinal);
        var directory = Directory.CreateTempSubdirectory("nsmt-diagram-").FullName;
        try
        {
            var dotPath = Path.Combine(directory, "model.dot");
            File.WriteAllText(dotPath, dot);
            var result = GraphvizRenderer.RenderSvg(dotPath, Path.Combine(directory, "model.svg"));
            Assert.True(result.Rendered, result.Message);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
