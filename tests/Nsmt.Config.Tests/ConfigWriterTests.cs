namespace Nsmt.Config.Tests;

/// <summary>ConfigYaml.Write reads back as the tree it wrote, also for text the pipeline lock holds (issue 28).</summary>
public sealed class ConfigWriterTests
{
    [Fact]
    public void Line_breaks_odd_keys_negative_infinity_and_lists_of_mappings_read_back_as_written()
    {
        var root = ConfigYaml.Parse(
            """
            "a: b": 1
            "x, y": {"p: q": 2}
            text: "two\nlines\tand a tab"
            low: -.inf
            quoted: '-.inf'
            list: [{x: 1}, 2]
            """,
            "t.yaml"
        );
        var written = ConfigYaml.Write(root);
        var back = ConfigYaml.Parse(written, "back.yaml");

        Assert.Equal(written, ConfigYaml.Write(back));
        Assert.Equal("1", Scalar(back["a: b"]).Text);
        Assert.Equal("2", Scalar(((ConfigMapping)back["x, y"]!)["p: q"]).Text);
        Assert.Equal("two\nlines\tand a tab", Scalar(back["text"]).Text);
        Assert.True(Scalar(back["low"]).Plain); // a float, not the string '-.inf'
        Assert.False(Scalar(back["quoted"]).Plain);
        var list = (ConfigSequence)back["list"]!;
        Assert.Equal("1", Scalar(((ConfigMapping)list.Items[0])["x"]).Text);
    }

    [Fact]
    public void A_mapping_marked_for_flow_is_written_on_one_line()
    {
        var record = new ConfigMapping("t") { WrittenInFlow = true };
        record.Set("kind", new ConfigScalar("dir", "t"));
        record.Set("files", new ConfigScalar("2", "t"));
        var root = new ConfigMapping("t");
        root.Set("out", record);

        Assert.Equal("out: {kind: dir, files: 2}\n", ConfigYaml.Write(root));
    }

    private static ConfigScalar Scalar(ConfigNode? node) => Assert.IsType<ConfigScalar>(node);
}
