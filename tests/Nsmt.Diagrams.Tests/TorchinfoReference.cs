using System.Text.Json;

namespace Nsmt.Diagrams.Tests;

/// <summary>
/// Rows and totals made by tests/fixtures-gen/diagrams/make_summary_fixtures.py: torchinfo 1.8's bookkeeping
/// run with PyTorch hooks on PyTorch versions of our models.
/// </summary>
internal static class TorchinfoReference
{
    private static readonly Lazy<JsonElement> Models = new(() =>
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Fixtures", "torchinfo_reference.json");
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        return document.RootElement.GetProperty("models").Clone();
    });

    public sealed record Row(
        string Path,
        string Type,
        int Depth,
        int DepthIndex,
        bool Container,
        bool Recursive,
        bool Leaf,
        long NumParams,
        long TrainableParams,
        long LeftoverParams,
        IReadOnlyList<(string Label, long[] Shape)> Output
    );

    public sealed record Totals(
        long TotalParams,
        long TrainableParams,
        long MultAdds,
        long InputBytes,
        long ForwardBackwardBytes,
        long ParamBytes
    );

    public static IReadOnlyList<Row> Rows(string model) =>
        Models
            .Value.GetProperty(model)
            .GetProperty("rows")
            .EnumerateArray()
            .Select(r => new Row(
                r.GetProperty("path").GetString()!,
                r.GetProperty("type").GetString()!,
                r.GetProperty("depth").GetInt32(),
                r.GetProperty("depth_index").GetInt32(),
                r.GetProperty("container").GetBoolean(),
                r.GetProperty("recursive").GetBoolean(),
                r.GetProperty("leaf").GetBoolean(),
                r.GetProperty("num_params").GetInt64(),
                r.GetProperty("trainable_params").GetInt64(),
                r.GetProperty("leftover_params").GetInt64(),
                r.GetProperty("output")
                    .EnumerateArray()
                    .Select(o =>
                        (
                            o.GetProperty("label").GetString()!,
                            o.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).ToArray()
                        )
                    )
                    .ToList()
            ))
            .ToList();

    public static Totals TotalsOf(string model)
    {
        var t = Models.Value.GetProperty(model).GetProperty("totals");
        return new Totals(
            t.GetProperty("total_params").GetInt64(),
            t.GetProperty("trainable_params").GetInt64(),
            t.GetProperty("mult_adds").GetInt64(),
            t.GetProperty("input_bytes").GetInt64(),
            t.GetProperty("forward_backward_bytes").GetInt64(),
            t.GetProperty("param_bytes").GetInt64()
        );
    }
}
