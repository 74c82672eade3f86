using Nsmt.Audio.Dsp;
using Nsmt.Spectral.Data.Config;
using Nsmt.Spectral.Data.Json;

namespace Nsmt.Spectral.Data.Generation;

/// <summary>Builds vimh_dataset_info.json with NSMT's keys, key order and value types.</summary>
internal static class VimhInfoWriter
{
    public static PyDict Build(GeneratorConfig c, int trainCount, int testCount, PyDict? extra)
    {
        List<ParameterSpec> varying = [.. c.VaryingParameters];
        var mappings = new List<KeyValuePair<string, PyValue>>();
        var fixedParameters = new List<KeyValuePair<string, PyValue>>();
        foreach (var p in c.Parameters)
        {
            mappings.Add(
                KeyValuePair.Create<string, PyValue>(
                    p.Name,
                    new PyDict(
                        ("min", p.Min.ToPy()),
                        ("step", p.Step.ToPy()),
                        ("max", p.Max.ToPy()),
                        ("description", $"simple parameter: {p.Name}")
                    )
                )
            );
            if (!p.IsVarying)
            {
                fixedParameters.Add(
                    KeyValuePair.Create<string, PyValue>(
                        p.Name,
                        new PyDict(("value", p.Min.ToPy()), ("description", p.Description ?? $"Fixed {p.Name}"))
                    )
                );
            }
        }

        var s = c.Spectrogram;
        var quantization = new PyList([new PyInt(0), new PyInt(255)]);
        var info = new List<(string, PyValue)>
        {
            ("format", "VIMH"),
            ("version", VimhFormat.Version),
            ("dataset_name", c.DatasetName),
            ("output_format", "binary"),
            ("height", c.Height),
            ("width", c.Width),
            ("channels", c.Channels),
            ("channel_labels", new PyList(ChannelLabels(c).Select(l => (PyValue)l).ToList())),
            ("varying_parameters", varying.Count),
            ("parameter_names", new PyList(varying.Select(p => (PyValue)p.Name).ToList())),
            ("train_samples", trainCount),
            ("test_samples", testCount),
            ("total_samples", c.Size),
            ("n_samples", c.Size),
            ("sample_rate", c.SampleRate),
            ("duration", c.Duration),
            ("synth_type", "simple"),
            ("image_size", $"{c.Height}x{c.Width}x{c.Channels}"),
            ("parameter_mappings", new PyDict(mappings)),
            ("fixed_parameters", new PyDict(fixedParameters)),
            ("pre_emphasis_coefficient", c.PreEmphasis.ToPy()),
            (
                "spectrogram_config",
                new PyDict(
                    ("sample_rate", c.SampleRate),
                    ("type", s.Type == SpectrogramType.Mel ? "mel" : "stft"),
                    ("n_fft", s.NFft),
                    ("n_window", s.NWindow),
                    ("hop_length", s.HopLength),
                    ("window_type", Window.Name(s.Window)),
                    ("bins_per_harmonic", s.BinsPerHarmonic.ToPy()),
                    ("n_bins", c.Height),
                    ("method", "efficient_leaf")
                )
            ),
            ("mel_config", new PyDict(("freq_min", s.MelFreqMin.ToPy()), ("freq_max_ratio", s.MelFreqMaxRatio.ToPy()))),
            (
                "label_encoding",
                new PyDict(
                    (
                        "format",
                        "[height] [width] [channels] [spec_min] [spec_max] [N] [param1_id] [param1_val] [param2_id] [param2_val] ..."
                    ),
                    ("metadata_bytes", 14),
                    (
                        "scale_factors",
                        new PyDict(
                            ("spec_min", "float32 - minimum dB value before normalization"),
                            ("spec_max", "float32 - maximum dB value before normalization")
                        )
                    ),
                    ("N_range", quantization),
                    ("param_id_range", quantization),
                    ("param_val_range", quantization)
                )
            ),
        };
        if (c.Level.Mode != LevelMode.MinMax)
        {
            info.Add((LevelScaling.InfoKey, c.Level.ToInfo())); // NSMT's loader reads only the keys it knows
        }

        if (extra is not null)
        {
            info.Add(("nsmt_net", extra)); // our provenance; NSMT ignores unknown keys
        }

        return new PyDict([.. info]);
    }

    public static IReadOnlyList<string> ChannelLabels(GeneratorConfig c)
    {
        if (c.Envelopes.Any)
        {
            var labels = new List<string> { c.Envelopes.Normalize ? "Gray_normalized" : "Gray" };
            if (c.Envelopes.Temporal)
            {
                labels.Add("Gray_temporal_envelope");
            }

            if (c.Envelopes.Spectral)
            {
                labels.Add("Gray_spectral_envelope");
            }

            return labels;
        }

        if (c.Level.Mode == LevelMode.Both)
        {
            return ["Gray", LevelScaling.AbsoluteChannelLabel];
        }

        return c.Channels == 3 ? ["R", "G", "B"] : ["Gray"];
    }
}
