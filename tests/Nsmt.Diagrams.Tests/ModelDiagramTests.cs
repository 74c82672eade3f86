using static TorchSharp.torch;

namespace Nsmt.Diagrams.Tests;

public sealed class ModelDiagramTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("nsmt-diagram-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private ModelTrace Trace()
    {
        using var model = TestModels.Build("SimpleCnn");
        using var x = rand(1, 1, 32, 32);
        return ModelTrace.Capture(model, x);
    }

    [Fact]
    public void Writes_the_summary_the_graph_and_its_svg()
    {
        // The build's setup installs Graphviz (build/setup.sh); without it this test says so.
        Assert.True(GraphvizRenderer.FindDot() is not null, "Graphviz 'dot' is not on PATH: apt-get install graphviz");
        var trace = Trace();
        var files = ModelDiagram.Write(trace, _directory);
        Assert.Equal(ModelSummary.Render(trace), File.ReadAllText(files.SummaryPath));
        Assert.Equal(ModelGraph.ToDot(trace), File.ReadAllText(files.DotPath));
        Assert.True(files.Svg.Rendered, files.Svg.Message);
        var svg = File.ReadAllText(Path.Combine(_directory, ModelDiagram.SvgFile));
        Assert.Contains("<svg", svg, StringComparison.Ordinal);
        Assert.Contains("log10_decay_time: Linear", svg, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(_directory, "*.tmp"));
    }

    [Fact]
    public void Without_graphviz_the_dot_file_is_written_and_the_message_says_how_to_render_it()
    {
        var emptyPath = Directory.CreateDirectory(Path.Combine(_directory, "no-tools")).FullName;
        var files = ModelDiagram.Write(Trace(), Path.Combine(_directory, "out"), graphvizSearchPath: emptyPath);
        Assert.False(files.Svg.Rendered);
        Assert.True(File.Exists(files.DotPath));
        Assert.False(File.Exists(Path.Combine(_directory, "out", ModelDiagram.SvgFile)));
        Assert.Contains("apt-get install graphviz", files.Svg.Message, StringComparison.Ordinal);
        Assert.Contains($"dot -Tsvg \"{files.DotPath}\" -o", files.Svg.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_dot_error_keeps_the_previous_svg_and_reports_graphviz_message()
    {
        var dotPath = Path.Combine(_directory, "broken.dot");
        var svgPath = Path.Combine(_directory, "broken.svg");
        File.WriteAllText(dotPath, "digraph { a -> ");
        File.WriteAllText(svgPath, "previous");
        var error = Assert.Throws<InvalidOperationException>(() => GraphvizRenderer.RenderSvg(dotPath, svgPath));
        Assert.Contains("syntax error", error.Message, StringComparison.Ordinal);
        Assert.Equal("previous", File.ReadAllText(svgPath));
        Assert.Throws<FileNotFoundException>(() =>
            GraphvizRenderer.RenderSvg(Path.Combine(_directory, "missing.dot"), svgPath)
        );
    }
}
