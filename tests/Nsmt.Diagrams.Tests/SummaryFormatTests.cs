using System.Diagnostics.CodeAnalysis;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Nsmt.Diagrams.Tests;

/// <summary>The table's layout rules, from torchinfo's formatting code, on small hand-checked models.</summary>
public class SummaryFormatTests
{
    /// <summary>
    /// A parameter of its own (torchinfo's leftover), a container, and a frozen layer: x -> body -> frozen, times scale.
    /// </summary>
    private sealed class Tiny : nn.Module<Tensor, Tensor>
    {
        [SuppressMessage(
            "Style",
            "IDE1006",
            Justification = "TorchSharp's to() replaces a registered tensor through the field named like it"
        )]
        private readonly Parameter _scale;
        private readonly Sequential _body;
        private readonly Linear _frozen;
        private readonly Linear _unused;

        public Tiny(string name = "Tiny")
            : base(name)
        {
            _scale = nn.Parameter(ones(2));
            register_parameter("scale", _scale);
            register_module("body", _body = nn.Sequential(nn.Linear(3, 4), nn.ReLU()));
            register_module("frozen", _frozen = nn.Linear(4, 2));
            _frozen.weight.requires_grad = false;
            _frozen.bias!.requires_grad = false;
            register_module("unused", _unused = nn.Linear(2, 5));
        }

        public override Tensor forward(Tensor input) => _frozen.call(_body.call(input)) * _scale;
    }

    private static ModelTrace TraceTiny(string name = "Tiny")
    {
        var model = new Tiny(name);
        using var x = ones(1, 3);
        return ModelTrace.Capture(model, x);
    }

    [Fact]
    public void Table_follows_torchinfo_layout()
    {
        // Hand-derived from torchinfo 1.8's rules: 40-character name column, 25-character columns, leaves show all
        // their parameters, frozen ones in parentheses, a container its own (leftover) parameters; totals count each
        // parameter once; mult-adds = params x batch for Linear (16 + 10); sizes in MB with two decimals. The layer the
        // forward pass never uses still gets a row, without a shape.
        const string expected = """
            ==========================================================================================
            Layer (type:depth-idx)                   Output Shape              Param #
            ==========================================================================================
            Tiny                                     [1, 2]                    2
            ├─Sequential: 1-1                        [1, 4]                    --
            │    └─Linear: 2-1                       [1, 4]                    16
            │    └─ReLU: 2-2                         [1, 4]                    --
            ├─Linear: 1-2                            [1, 2]                    (10)
            ├─Linear: 1-3                            --                        15
            ==========================================================================================
            Total params: 43
            Trainable params: 33
            Non-trainable params: 10
            Total mult-adds (M): 0.00
            ==========================================================================================
            Input size (MB): 0.00
            Forward/backward pass size (MB): 0.00
            Params size (MB): 0.00
            Estimated Total Size (MB): 0.00
            ==========================================================================================

            """;
        Assert.Equal(expected.ReplaceLineEndings("\n"), ModelSummary.Render(TraceTiny()));
    }

    [Fact]
    public void Statistics_follow_torchinfo_definitions()
    {
        var statistics = TorchinfoStatistics.Of(TraceTiny());
        Assert.Equal(43, statistics.TotalParams);
        Assert.Equal(33, statistics.TrainableParams);
        Assert.Equal(16 + 10, statistics.TotalMultAdds); // the unused layer did not run
        Assert.Equal(3 * 4, statistics.InputBytes);
        Assert.Equal(2 * (4 * 4 + 2 * 4), statistics.ForwardBackwardBytes); // leaves with parameters that ran, x2
        Assert.Equal((16 + 10 + 15) * 4, statistics.ParamBytes); // leaves only: the model's own 'scale' is left out
    }

    [Fact]
    public void Depth_limit_hides_deeper_rows_and_shows_their_parameters_at_the_limit()
    {
        var lines = ModelSummary.Render(TraceTiny(), new SummaryOptions { Depth = 1 }).Split('\n');
        Assert.Contains("├─Sequential: 1-1                        [1, 4]                    16", lines);
        Assert.DoesNotContain(lines, l => l.Contains("ReLU", StringComparison.Ordinal));
        Assert.Contains("Total params: 43", lines);
    }

    [Fact]
    public void Variable_names_and_ascii_rows_are_options()
    {
        var text = ModelSummary.Render(TraceTiny(), new SummaryOptions { ShowVariableNames = true, AsciiOnly = true });
        Assert.Contains("Layer (type (var_name):depth-idx)", text, StringComparison.Ordinal);
        Assert.Contains("\n|    + Linear (0): 2-1 ", text, StringComparison.Ordinal);
        Assert.Contains("\n+ Linear (frozen): 1-2 ", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Long_names_widen_the_first_column_to_a_multiple_of_five()
    {
        // "Tiny" renamed to 38 characters: 38 + 0 * 5 + 1 = 39 < 40 keeps 40; 41 characters give 42 -> 45.
        Assert.Equal(90, ModelSummary.Render(TraceTiny(new string('T', 38))).Split('\n')[0].Length);
        var wide = ModelSummary.Render(TraceTiny(new string('T', 41))).Split('\n');
        Assert.Equal(95, wide[0].Length);
        Assert.StartsWith(new string('T', 41) + new string(' ', 5) + "[1, 2]", wide[3], StringComparison.Ordinal);
    }

    [Theory]
    // Python's f"{x:0.2f}" (checked with /usr/bin/python3): exact binary values, ties to even.
    [InlineData(0.125, "0.12")]
    [InlineData(0.375, "0.38")]
    [InlineData(2.675, "2.67")]
    [InlineData(0.005, "0.01")]
    [InlineData(0.995, "0.99")]
    [InlineData(1.005, "1.00")]
    [InlineData(0.045, "0.04")]
    [InlineData(1.0, "1.00")]
    [InlineData(0.0, "0.00")]
    [InlineData(1e-7, "0.00")]
    [InlineData(12345.678, "12345.68")]
    [InlineData(-0.125, "-0.12")]
    [InlineData(16.166236, "16.17")]
    public void Sizes_print_as_Python_prints_them(double value, string expected) =>
        Assert.Equal(expected, PythonFormat.Fixed2(value));

    [Theory]
    [InlineData(0, "0")]
    [InlineData(999, "999")]
    [InlineData(1000, "1,000")]
    [InlineData(1_129_098, "1,129,098")]
    public void Counts_are_grouped_by_thousands(long value, string expected) =>
        Assert.Equal(expected, PythonFormat.Grouped(value));

    [Fact]
    public void Bad_options_are_rejected_with_the_setting_named()
    {
        var trace = TraceTiny();
        Assert.Contains(
            "depth",
            Assert
                .Throws<ArgumentOutOfRangeException>(() =>
                    ModelSummary.Render(trace, new SummaryOptions { Depth = -1 })
                )
                .Message,
            StringComparison.Ordinal
        );
        Assert.Contains(
            "column width",
            Assert
                .Throws<ArgumentOutOfRangeException>(() =>
                    ModelSummary.Render(trace, new SummaryOptions { ColumnWidth = 0 })
                )
                .Message,
            StringComparison.Ordinal
        );
    }
}
