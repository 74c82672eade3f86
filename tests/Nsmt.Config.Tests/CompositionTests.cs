namespace Nsmt.Config.Tests;

public class CompositionTests
{
    private static ConfigMapping Apply(string yaml, params string[] overrides)
    {
        var root = ConfigYaml.Parse(yaml, "c.yaml");
        foreach (var o in overrides)
        {
            ConfigOverride.Parse(o).ApplyTo(root);
        }

        return root;
    }

    private static string Text(ConfigMapping root, string path) =>
        ((ConfigScalar)new ConfigReader(root).Node(path)!).Text;

    [Fact]
    public void Set_add_and_delete_overrides()
    {
        var root = Apply("a:\n  b: 1\n  c: 2\n", "a.b=5", "+a.d=[1, 2]", "~a.c");
        Assert.Equal("a:\n  b: 5\n  d: [1, 2]\n", ConfigYaml.Write(root));
        Assert.Equal("override 'a.b=5'", root.Leaves().First().Node.Origin);
    }

    [Fact]
    public void Deleting_an_absent_key_names_it_and_the_nearest_one()
    {
        var e = Assert.Throws<ConfigException>(() => Apply("a:\n  b: 1\n", "~a.bb"));
        Assert.Equal("override '~a.bb': unknown key 'a.bb' (did you mean 'a.b'?)", e.Message);
    }

    [Fact]
    public void The_reader_records_each_value_it_resolved_in_read_order_defaults_included()
    {
        // The resolved config (a run's config.yaml) comes from the binder's reads, so each key is declared once.
        var r = new ConfigReader(ConfigYaml.Parse("b:\n  x: 2.50\n  flag: yes\nname: it's\n", "c.yaml"));
        r.Int("a", 7);
        r.Double("b.x", 1);
        r.Bool("b.flag", false);
        r.NullableDouble("b.none");
        r.OptionalString("name");
        r.Int("c.gone", 1);
        r.Prune("c");

        Assert.Equal("a: 7\nb:\n  x: 2.5\n  flag: true\n  none: null\nname: 'it''s'\n", ConfigYaml.Write(r.Resolved));
    }

    [Fact]
    public void Lenient_overrides_create_keys_for_the_binder_to_check()
    {
        var root = ConfigYaml.Parse("a: 1\n", "c.yaml");
        ConfigOverride.Parse("x.y=2").ApplyTo(root, strict: false);
        var r = new ConfigReader(root);
        r.Int("a", 0);
        r.Int("x.z", 0);
        var e = Assert.Throws<ConfigException>(r.RejectUnknown);
        Assert.Equal("override 'x.y=2': unknown key 'x.y' (did you mean 'x.z'?)", e.Message);
    }

    [Fact]
    public void Interpolation_copies_whole_values_and_fills_text()
    {
        var root = Apply("paths:\n  root: /data\n  runs: ${paths.root}/runs\nn: 3\nm: ${n}\nname: run_${n}\n", "n=4");
        ConfigInterpolation.Resolve(root);
        Assert.Equal("/data/runs", Text(root, "paths.runs"));
        Assert.Equal("4", Text(root, "m"));
        Assert.True(((ConfigScalar)root["m"]!).Plain); // still a number
        Assert.Equal("run_4", Text(root, "name"));
    }

    [Fact]
    public void Interpolation_errors_name_the_key_and_the_nearest_reference()
    {
        var e = Assert.Throws<ConfigException>(() =>
            ConfigInterpolation.Resolve(ConfigYaml.Parse("n: 3\nm: ${nn}\n", "c.yaml"))
        );
        Assert.Equal(
            "c.yaml:2:4: field 'm': expected a reference to a key of the config, got '${nn}' (did you mean 'n'?)",
            e.Message
        );
        var cycle = Assert.Throws<ConfigException>(() =>
            ConfigInterpolation.Resolve(ConfigYaml.Parse("a: ${b}\nb: ${a}\n", "c.yaml"))
        );
        Assert.Contains("(a cycle?)", cycle.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Sibling_defaults_compose_in_order_and_refuse_cycles()
    {
        using var dir = new TempFolder();
        dir.Write("a.yaml", "t:\n  x: 1\n  y: 1\n");
        dir.Write("b.yaml", "t:\n  y: 2\n  z: 2\n");
        var c = dir.Write("c.yaml", "defaults: [a, b.yaml]\nt:\n  z: 3\n");
        Assert.Equal("t:\n  x: 1\n  y: 2\n  z: 3\n", ConfigYaml.Write(SiblingDefaults.Load(c)));

        var self = dir.Write("self.yaml", "defaults: [self]\n");
        var e = Assert.Throws<ConfigException>(() => SiblingDefaults.Load(self));
        Assert.StartsWith(self + ":1:12: 'defaults' entry 'self' includes itself", e.Message, StringComparison.Ordinal);

        var mapping = dir.Write("m.yaml", "defaults:\n  model: x\n");
        Assert.Throws<ConfigException>(() => SiblingDefaults.Load(mapping));
        Assert.Equal("x", Text(SiblingDefaults.Load(mapping, listOnly: false), "defaults.model"));
    }

    [Fact]
    public void The_writer_is_byte_stable_and_reads_back()
    {
        var yaml = "a:\n  b: 1\n  s: 'x: y'\n  l: [1, 'a,b']\n  e: {}\nn: null\nq: 'true'\n";
        var once = ConfigYaml.Write(ConfigYaml.Parse(yaml, "c.yaml"));
        Assert.Equal(yaml, once);
        Assert.Equal(once, ConfigYaml.Write(ConfigYaml.Parse(once, "again.yaml")));
    }
}
