using Nsmt.Pipeline.Fingerprints;
using YamlDotNet.RepresentationModel;

namespace Nsmt.Pipeline.Tests;

public sealed class ParamValueTests
{
    private static ParamValue Parse(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader("v: " + yaml));
        return ParamValue.FromYaml(
            ((YamlMappingNode)stream.Documents[0].RootNode).Children[new YamlScalarNode("v")],
            "test"
        );
    }

    [Theory]
    [InlineData("1e-3", "0.001", ParamKind.Float)]
    [InlineData("0.001", "0.001", ParamKind.Float)]
    [InlineData("2.0", "2.0", ParamKind.Float)]
    [InlineData("2", "2", ParamKind.Integer)]
    [InlineData("-7", "-7", ParamKind.Integer)]
    [InlineData("0x1F", "31", ParamKind.Integer)]
    [InlineData("true", "true", ParamKind.Bool)]
    [InlineData("~", "null", ParamKind.Null)]
    [InlineData("'1'", "\"1\"", ParamKind.String)]
    [InlineData("adam", "\"adam\"", ParamKind.String)]
    [InlineData(".inf", ".inf", ParamKind.Float)]
    [InlineData("[1, 2.5, x]", "[1,2.5,\"x\"]", ParamKind.List)]
    [InlineData("{b: 1, a: [true]}", "{\"a\":[true],\"b\":1}", ParamKind.Map)]
    public void Yaml_scalars_are_typed_by_the_core_schema_and_written_as_canonical_json(
        string yaml,
        string json,
        ParamKind kind
    )
    {
        var v = Parse(yaml);
        Assert.Equal(kind, v.Kind);
        Assert.Equal(json, v.ToCanonicalJson());
    }

    [Theory]
    [InlineData("1e-5")]
    [InlineData("3.0")]
    [InlineData("\"quote \\\" and \\\\ and tab\\t\"")]
    [InlineData("\"12\"")]
    [InlineData("[1, [2, {\"k\": null}], \"a,b\"]")]
    [InlineData("-.inf")]
    public void The_yaml_flow_form_reads_back_as_the_same_value(string yaml)
    {
        var v = Parse(yaml);
        Assert.Equal(v, Parse(v.ToYamlFlow()));
    }

    [Fact]
    public void Equal_values_written_differently_are_equal()
    {
        Assert.Equal(Parse("1e-3"), Parse("0.0010"));
        Assert.NotEqual(Parse("1"), Parse("1.0"));
        Assert.NotEqual(Parse("'1'"), Parse("1"));
    }
}
