using System.Globalization;
using System.Text.Json;
using Nsmt.Amp.Format;

namespace Nsmt.Amp.Training.Modules;

/// <summary>
/// NAM's "A2" WaveNet (the trainer's default since 2026; Core's example_models/A2.nam): one layer array of per-layer
/// kernel sizes and dilations, a LeakyReLU (or Tanh) per layer without gating, a bottleneck, an active layer1x1, and a
/// head convolution of kernel &gt; 1 over the summed activations, scaled by head_scale. Read from the <c>config</c> of
/// a .nam 0.6/0.7 WaveNet in the file's field names (<see cref="Parse"/>); every 0.6 feature outside that subset
/// (gating, groups, FiLM, head1x1, condition_dsp, slimmable, several arrays, a post-stack head) is refused by name.
/// </summary>
public sealed record A2Config
{
    public required int Channels { get; init; }

    /// <summary>Channels of each layer's dilated conv and activation (Core: defaults to channels).</summary>
    public required int Bottleneck { get; init; }

    public required IReadOnlyList<int> KernelSizes { get; init; }

    public required IReadOnlyList<int> Dilations { get; init; }

    /// <summary>Per layer: the LeakyReLU slope (Core's <c>{"type": "LeakyReLU", "negative_slope": s}</c>), or null for Tanh.</summary>
    public required IReadOnlyList<double?> LeakySlopes { get; init; }

    public required int HeadKernelSize { get; init; }

    public bool HeadBias { get; init; } = true;

    public required float HeadScale { get; init; }

    public int Layers => Dilations.Count;

    /// <summary>1 + sum over layers of (K-1)*d + (head K - 1): the head conv looks back over the summed activations.</summary>
    public int ReceptiveField => 1 + Dilations.Select((d, i) => (KernelSizes[i] - 1) * d).Sum() + HeadKernelSize - 1;

    /// <summary>
    /// The .nam weight count (Core's order): rechannel C; per layer conv B*C*K + B, input mixin B, layer1x1 C*B + C;
    /// head conv B*K_head (+1); head_scale. A2-Lite 1,871, A2-Full 12,146.
    /// </summary>
    public int WeightCount =>
        Channels + KernelSizes.Sum(k => (Bottleneck * Channels * k) + Bottleneck + Bottleneck + (Channels * Bottleneck) + Channels)
        + (Bottleneck * HeadKernelSize) + (HeadBias ? 1 : 0) + 1;

    /// <summary>The same architecture with another width (packed training's narrower submodels): bottleneck follows channels.</summary>
    public A2Config WithChannels(int channels) => this with { Channels = channels, Bottleneck = channels };

    /// <summary>
    /// Parses a WaveNet <c>config</c> object (a preset, or a 0.6/0.7 file's); <paramref name="file"/> and
    /// <paramref name="at"/> name it in errors (e.g. <c>config</c> or <c>presets.full</c>).
    /// </summary>
    /// <exception cref="NamFormatException">A field is missing, out of range, or a feature outside A2.</exception>
    public static A2Config Parse(JsonElement config, string? file, string at)
    {
        var r = new Fields(file);
        r.Object(config, at);
        r.Absent(config, at, "condition_dsp");
        if (config.TryGetProperty("head", out var post) && post.ValueKind != JsonValueKind.Null)
        {
            throw r.Error($"{at}.head", "a post-stack head is not part of A2 (null expected)");
        }

        var layers = r.Property(config, at, "layers");
        if (layers.ValueKind != JsonValueKind.Array || layers.GetArrayLength() != 1)
        {
            throw r.Error($"{at}.layers", "A2 has exactly one layer array");
        }

        string la = $"{at}.layers[0]";
        var array = layers[0];
        r.Object(array, la);
        r.ExpectInt(array, la, "input_size", 1);
        r.ExpectInt(array, la, "condition_size", 1, optional: true);
        int channels = r.Int(array, la, "channels", 1, 1024);
        int bottleneck = array.TryGetProperty("bottleneck", out _) ? r.Int(array, la, "bottleneck", 1, 1024) : channels;
        var dilations = r.IntList(array, la, "dilations", 1, 1 << 16);
        int n = dilations.Count;
        var kernels = array.TryGetProperty("kernel_sizes", out _)
            ? r.IntList(array, la, "kernel_sizes", 1, 64)
            : Enumerable.Repeat(r.Int(array, la, "kernel_size", 1, 64), n).ToList();
        if (kernels.Count != n)
        {
            throw r.Error($"{la}.kernel_sizes", $"must list one kernel size per dilation ({n}), got {kernels.Count}");
        }

        var slopes = Activations(r, array, la, n);
        if (array.TryGetProperty("gating_mode", out var modes))
        {
            var items = modes.ValueKind == JsonValueKind.Array ? modes.EnumerateArray().ToList() : Enumerable.Repeat(modes, n).ToList();
            for (int i = 0; i < items.Count; i++)
            {
                if (items[i].ValueKind != JsonValueKind.String || items[i].GetString() != "none")
                {
                    throw r.Error($"{la}.gating_mode[{i}]", "A2 layers are not gated: \"none\" expected");
                }
            }
        }

        if (array.TryGetProperty("gated", out var gated) && gated.ValueKind == JsonValueKind.True)
        {
            throw r.Error($"{la}.gated", "A2 layers are not gated: false expected");
        }

        if (array.TryGetProperty("secondary_activation", out var secondary) && secondary.ValueKind == JsonValueKind.Array
            && secondary.EnumerateArray().Any(s => s.ValueKind != JsonValueKind.Null))
        {
            throw r.Error($"{la}.secondary_activation", "only ungated layers (null entries) are part of A2");
        }

        r.Block(array, la, "layer1x1", active: true);
        r.Block(array, la, "head1x1", active: false);
        foreach (string film in FilmBlocks)
        {
            r.Block(array, la, film, active: false);
        }

        r.ExpectInt(array, la, "groups_input", 1, optional: true);
        r.ExpectInt(array, la, "groups_input_mixin", 1, optional: true);
        if (array.TryGetProperty("slimmable", out var slim) && slim.ValueKind != JsonValueKind.Null)
        {
            throw r.Error($"{la}.slimmable", "a slimmable WaveNet is not part of A2 (null expected; A2's widths are separate submodels)");
        }

        var head = r.Property(array, la, "head");
        r.Object(head, $"{la}.head");
        r.ExpectInt(head, $"{la}.head", "out_channels", 1);
        int headKernel = r.Int(head, $"{la}.head", "kernel_size", 1, 1024);
        bool headBias = r.Bool(head, $"{la}.head", "bias");
        if (head.TryGetProperty("head_dilation", out _))
        {
            r.ExpectInt(head, $"{la}.head", "head_dilation", 1);
        }

        var scale = r.Property(config, at, "head_scale");
        if (scale.ValueKind != JsonValueKind.Number || !float.IsFinite(scale.GetSingle()))
        {
            throw r.Error($"{at}.head_scale", "must be a finite number");
        }

        return new A2Config
        {
            Channels = channels,
            Bottleneck = bottleneck,
            KernelSizes = kernels,
            Dilations = dilations,
            LeakySlopes = slopes,
            HeadKernelSize = headKernel,
            HeadBias = headBias,
            HeadScale = scale.GetSingle(),
        };
    }

    /// <summary>The FiLM blocks of a 0.6 layer array; A2 leaves them all inactive.</summary>
    public static readonly string[] FilmBlocks =
    [
        "conv_pre_film", "conv_post_film", "input_mixin_pre_film", "input_mixin_post_film",
        "activation_pre_film", "activation_post_film", "layer1x1_post_film", "head1x1_post_film",
    ];

    private static List<double?> Activations(Fields r, JsonElement array, string at, int n)
    {
        var value = r.Property(array, at, "activation");
        var items = value.ValueKind == JsonValueKind.Array ? value.EnumerateArray().ToList() : Enumerable.Repeat(value, n).ToList();
        if (items.Count != n)
        {
            throw r.Error($"{at}.activation", $"must list one activation per layer ({n}), got {items.Count}");
        }

        var slopes = new List<double?>(n);
        for (int i = 0; i < n; i++)
        {
            string field = value.ValueKind == JsonValueKind.Array ? $"{at}.activation[{i}]" : $"{at}.activation";
            var item = items[i];
            string? type = item.ValueKind switch
            {
                JsonValueKind.String => item.GetString(),
                JsonValueKind.Object when item.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String => t.GetString(),
                _ => null,
            };
            slopes.Add(type switch
            {
                "Tanh" => null,
                "LeakyReLU" => item.ValueKind == JsonValueKind.Object && item.TryGetProperty("negative_slope", out var s) && s.ValueKind == JsonValueKind.Number
                    ? s.GetDouble()
                    : 0.01, // torch's and Core's default slope
                _ => throw r.Error(field, $"A2 training supports \"LeakyReLU\" and \"Tanh\", got {item.GetRawText()}"),
            });
        }

        return slopes;
    }

    /// <summary>Field readers that name the file and the JSON path of what they refuse.</summary>
    private sealed class Fields(string? file)
    {
        public NamFormatException Error(string field, string problem) => new(file, field, problem);

        public void Object(JsonElement e, string at)
        {
            if (e.ValueKind != JsonValueKind.Object)
            {
                throw Error(at, "must be an object");
            }
        }

        public JsonElement Property(JsonElement e, string at, string name) =>
            e.TryGetProperty(name, out var v) ? v : throw Error($"{at}.{name}", "required");

        public void Absent(JsonElement e, string at, string name)
        {
            if (e.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null)
            {
                throw Error($"{at}.{name}", "is not part of A2 (absent or null expected)");
            }
        }

        public int Int(JsonElement e, string at, string name, int min, int max)
        {
            var v = Property(e, at, name);
            return v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out int i) && i >= min && i <= max
                ? i
                : throw Error($"{at}.{name}", string.Create(CultureInfo.InvariantCulture, $"must be an integer in [{min}, {max}], got {v.GetRawText()}"));
        }

        public void ExpectInt(JsonElement e, string at, string name, int expected, bool optional = false)
        {
            if (optional && !e.TryGetProperty(name, out _))
            {
                return;
            }

            var v = Property(e, at, name);
            if (!(v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out int i) && i == expected))
            {
                throw Error($"{at}.{name}", string.Create(CultureInfo.InvariantCulture, $"A2 expects {expected}, got {v.GetRawText()}"));
            }
        }

        public bool Bool(JsonElement e, string at, string name)
        {
            var v = Property(e, at, name);
            return v.ValueKind switch
            {
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                _ => throw Error($"{at}.{name}", $"must be true or false, got {v.GetRawText()}"),
            };
        }

        public List<int> IntList(JsonElement e, string at, string name, int min, int max)
        {
            var v = Property(e, at, name);
            if (v.ValueKind != JsonValueKind.Array || v.GetArrayLength() == 0)
            {
                throw Error($"{at}.{name}", "must be a non-empty list of integers");
            }

            var list = new List<int>();
            foreach (var item in v.EnumerateArray())
            {
                list.Add(item.ValueKind == JsonValueKind.Number && item.TryGetInt32(out int i) && i >= min && i <= max
                    ? i
                    : throw Error($"{at}.{name}[{list.Count}]", string.Create(CultureInfo.InvariantCulture, $"must be an integer in [{min}, {max}], got {item.GetRawText()}")));
            }

            return list;
        }

        /// <summary>An optional <c>{"active": bool, "groups": 1, ...}</c> block that A2 needs in one state.</summary>
        public void Block(JsonElement e, string at, string name, bool active)
        {
            if (!e.TryGetProperty(name, out var block) || block.ValueKind == JsonValueKind.Null)
            {
                return;
            }

            Object(block, $"{at}.{name}");
            bool isActive = !block.TryGetProperty("active", out var a) || a.ValueKind == JsonValueKind.True;
            if (isActive != active)
            {
                throw Error($"{at}.{name}.active", $"A2 expects {(active ? "true" : "false")}");
            }

            if (active)
            {
                ExpectInt(block, $"{at}.{name}", "groups", 1, optional: true);
            }
        }
    }
}
