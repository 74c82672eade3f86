using System.CommandLine;
using System.Globalization;
using Nsmt.Amp.Capture;
using Nsmt.Amp.Engine;
using Nsmt.Amp.Evaluation;
using Nsmt.Amp.Format;
using Nsmt.Amp.Ingest;
using Nsmt.Amp.Keras;
using Nsmt.Amp.Processing;
using Nsmt.Amp.ReferenceAmp;
using Nsmt.Amp.Training.Config;
using Nsmt.Audio;
using Nsmt.Cli;
using Nsmt.Config;
using Nsmt.Core;

namespace Nsmt.Amp.Stage;

/// <summary>The subcommands: each reads its options, calls the library once and prints a summary.</summary>
internal static class AmpCommands
{
    private const int Ok = ExitCodes.Ok;
    private const int ChecksFailed = ExitCodes.CheckFailed;

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>The whole command line, as Program runs it (and tests, in-process).</summary>
    public static RootCommand Root() =>
        new StageCommand(
            "Neural amp modeling tools: make a capture signal, reamp it through the reference amp, "
                + "check a DI/reamp pair, process audio through a .nam model, describe a model, evaluate a model.",
            "Amp capture -o capture.wav --seconds 30 --seed 0",
            "Amp reamp capture.wav -o reamped.wav --latency 250",
            "Amp reamp capture.wav -o amp_g6_m-2.wav --set gain_db=6,mid_db=-2",
            "Amp process guitar.wav -o out.wav --model knobs.json --knob gain_db=9,mid_db=0",
            "Amp check --di capture.wav --reamp reamped.wav --json report.json",
            "Amp process guitar.wav -o out.wav --model amp.nam --block 64",
            "Amp process guitar.wav -o lite.wav --model A2.nam --size 0.3",
            "Amp info amp.nam",
            "Amp evaluate --model amp.nam --di capture.wav --reamp reamped.wav -o eval/"
        )
        {
            Capture(),
            Reamp(),
            Check(),
            Process(),
            Info(),
            Evaluate(),
        };

    public static Command Info()
    {
        var model = new Argument<string>("model") { Description = "the .nam model to describe" };
        var command = new Command(
            "info",
            "Describe a .nam model: version and which players read it, architecture and sizes, weights, receptive field, latency and levels."
        )
        {
            model,
        };
        command.SetAction(parse => Run("info", () =>
            {
                Console.Write(NamModelInfo.Describe(NamFile.Load(RequireFile(parse.GetRequiredValue(model)))));
                return Ok;
            }));
        return command;
    }

    public static Command Capture()
    {
        var output = OutputOption("capture WAV to write (48 kHz, 24-bit)");
        var seconds = new Option<double>("--seconds")
        {
            HelpName = "SECONDS",
            Description = "total length in seconds",
            DefaultValueFactory = _ => 30,
        };
        var validation = new Option<double>("--validation-seconds")
        {
            HelpName = "SECONDS",
            Description = "validation passage length (played at the start and the end)",
            DefaultValueFactory = _ => 3,
        };
        var seed = StageOptions.Seed("random seed (default 0; the same seed gives the same file)");
        var rate = new Option<int>("--sample-rate")
        {
            HelpName = "HZ",
            Description = "sample rate in Hz",
            DefaultValueFactory = _ => 48000,
        };
        var config = ExperimentOption(
            "an amp experiment config (e.g. configs/amp/default.yaml): write the capture it trains on, from its data: "
                + "sample_rate, seconds, validation_seconds and capture_seed (instead of the options above)"
        );
        var overrides = Overrides.Argument("data.capture_seed=3 (with --config)");
        var command = new Command(
            "capture",
            "Write the capture signal: validation passage, clicks, sweeps, noise bursts, synthetic guitar, validation repeat."
        )
        {
            output,
            seconds,
            validation,
            seed,
            rate,
            config,
            overrides,
        };
        RequireConfigAlone(command, config, overrides, seconds, validation, seed, rate);
        command.SetAction(parse =>
            Run(
                "capture",
                () =>
                {
                    var options = parse.GetValue(config) is { } path
                        ? ReferenceData(path, parse.GetValue(overrides)).CaptureOptions()
                        : new CaptureSignalOptions
                        {
                            Seconds = parse.GetValue(seconds),
                            ValidationSeconds = parse.GetValue(validation),
                            Seed = parse.GetValue(seed) ?? 0,
                            SampleRate = parse.GetValue(rate),
                        };
                    var signal = CaptureSignal.Generate(options);
                    var outputPath = parse.GetRequiredValue(output);
                    signal.Save(outputPath);
                    Console.WriteLine(
                        string.Create(
                            Invariant,
                            $"wrote {outputPath}: {signal.DurationSeconds:0.###} s at {signal.SampleRate} Hz, 24-bit, seed {signal.Options.Seed}"
                        )
                    );
                    foreach (var section in signal.Sections)
                    {
                        Console.WriteLine(
                            string.Create(
                                Invariant,
                                $"  {section.Range.Start / (double)signal.SampleRate, 7:0.000} s  {section.Range.Seconds(signal.SampleRate), 6:0.000} s  {section.Kind, -16} {section.Description}"
                            )
                        );
                    }

                    Console.WriteLine($"  clicks at samples {string.Join(", ", signal.ClickPositions)}");
                    return Ok;
                },
                () =>
                    ExperimentReads(
                        parse.GetValue(config),
                        parse.GetValue(overrides),
                        "data.sample_rate",
                        "data.seconds",
                        "data.validation_seconds",
                        "data.capture_seed"
                    )
            )
        );
        return command;
    }

    public static Command Reamp()
    {
        var input = new Argument<string>("input")
        {
            Description = "WAV to play through the reference amp (e.g. the capture signal)",
        };
        var output = OutputOption("reamped WAV to write (24-bit, like an interface recording)");
        var latency = new Option<int>("--latency")
        {
            HelpName = "SAMPLES",
            Description = "interface latency to simulate, samples",
            DefaultValueFactory = _ => 0,
        };
        var gain = new Option<double>("--gain-db")
        {
            HelpName = "DB",
            Description = "drive into the first clipping stage, dB",
            DefaultValueFactory = _ => new ReferenceAmpOptions().GainDb,
        };
        var noise = new Option<double?>("--noise-dbfs")
        {
            HelpName = "DBFS",
            Description = "add white noise at this RMS level (a noisy rig)",
        };
        var config = ExperimentOption(
            "an amp experiment config (e.g. configs/amp/default.yaml): play through the amp it trains on, its data.amp "
                + "knobs at its data.sample_rate (instead of the options above)"
        );
        var overrides = Overrides.Argument("data.amp.gain_db=20 (with --config)");
        var set = new Option<string?>("--set")
        {
            HelpName = "KNOBS",
            Description =
                "turn the amp's knobs, e.g. gain_db=6,mid_db=-2 ("
                + string.Join(", ", ReferenceAmpKnobs.Names)
                + "); a knob capture set is the same DI reamped at several settings",
        };
        var overwrite = OverwriteOption();
        var command = new Command("reamp", "Play a WAV through the synthetic reference amp (deterministic).")
        {
            input,
            output,
            latency,
            gain,
            noise,
            set,
            config,
            overrides,
            overwrite,
        };
        RequireConfigAlone(command, config, overrides, latency, gain, noise, set);
        command.SetAction(parse =>
            Run(
                "reamp",
                () =>
                {
                    var inputPath = parse.GetRequiredValue(input);
                    RefuseReplacingAnInput(
                        parse.GetValue(overwrite),
                        "--output",
                        parse.GetRequiredValue(output),
                        ("input", inputPath)
                    );
                    var audio = WavFile.Read(RequireFile(inputPath));
                    var mono = audio.ChannelCount == 1 ? audio.Channels[0] : audio.Downmix();
                    var options = parse.GetValue(config) is { } path
                        ? ReferenceData(path, parse.GetValue(overrides)).AmpOptions()
                        : new ReferenceAmpOptions
                        {
                            SampleRate = audio.SampleRate,
                            LatencySamples = parse.GetValue(latency),
                            GainDb = parse.GetValue(gain),
                            NoiseDbfs = parse.GetValue(noise),
                        };
                    if (parse.GetValue(set) is { } knobs)
                    {
                        if (
                            parse.GetResult(gain) is { Implicit: false }
                            && KnobSetting.Parse(knobs, "--set").Has("gain_db")
                        )
                        {
                            throw new ArgumentException(
                                "--gain-db and --set gain_db=... both set the gain; give it once"
                            );
                        }

                        options = ReferenceAmpKnobs.Apply(options, KnobSetting.Parse(knobs, "--set"), "--set");
                    }

                    if (options.SampleRate != audio.SampleRate)
                    {
                        throw new ArgumentException(
                            $"{inputPath}: expected {options.SampleRate} Hz (data.sample_rate of {parse.GetValue(config)}), got {audio.SampleRate} Hz"
                        );
                    }

                    var amp = new ReferenceAmp.ReferenceAmp(options);
                    var reamped = amp.Process(mono);
                    var outputPath = parse.GetRequiredValue(output);
                    var written = WavFile.Write(
                        outputPath,
                        AudioBuffer.Mono(audio.SampleRate, reamped),
                        WavSampleFormat.Pcm24
                    );
                    Console.WriteLine(
                        $"wrote {outputPath}: {reamped.Length} frames at {audio.SampleRate} Hz ({amp.Options.LatencySamples} samples of latency, "
                            + $"{(audio.ChannelCount == 1 ? "mono input" : $"average of {audio.ChannelCount} input channels")})"
                    );
                    Console.WriteLine(
                        string.Create(
                            Invariant,
                            $"peak {20 * Math.Log10(reamped.Max(Math.Abs)):0.00} dBFS, {written.ClippedSamples} samples clipped"
                        )
                    );
                    return Ok;
                },
                () => ExperimentReads(parse.GetValue(config), parse.GetValue(overrides), "data.sample_rate", "data.amp")
            )
        );
        return command;
    }

    public static Command Check()
    {
        var di = new Option<string>("--di")
        {
            HelpName = "FILE",
            Description = "the DI (dry) WAV played into the rig",
            Required = true,
        };
        var reamp = new Option<string>("--reamp")
        {
            HelpName = "FILE",
            Description = "the reamped (wet) WAV recorded from the rig",
            Required = true,
        };
        var latency = LatencyOption();
        var channel = ChannelOption();
        var resample = new Option<bool>("--resample")
        {
            Description = "resample the reamp to the DI's rate instead of failing",
        };
        var inputGain = new Option<double>("--input-gain-db")
        {
            HelpName = "DB",
            Description = "gain applied to the DI (recorded)",
            DefaultValueFactory = _ => 0,
        };
        var validation = new Option<double>("--validation-seconds")
        {
            HelpName = "SECONDS",
            Description = "held-out seconds at the end of arbitrary recordings",
            DefaultValueFactory = _ => 9,
        };
        var json = new Option<string?>("--json")
        {
            HelpName = "FILE",
            Description = "also write the report as JSON to this file",
        };
        var overwrite = OverwriteOption();
        var command = new Command(
            "check",
            "Read and align a DI/reamp pair and print what was found (latency, replicate ESR, levels, warnings)."
        )
        {
            di,
            reamp,
            latency,
            channel,
            resample,
            inputGain,
            validation,
            json,
            overwrite,
        };
        command.SetAction(parse => Run("check", () =>
            {
                if (parse.GetValue(json) is { } jsonOutput)
                {
                    RefuseReplacingAnInput(
                        parse.GetValue(overwrite),
                        "--json",
                        jsonOutput,
                        ("--di", parse.GetRequiredValue(di)),
                        ("--reamp", parse.GetRequiredValue(reamp))
                    );
                }

                var pair = CapturePair.Load(
                    parse.GetRequiredValue(di),
                    parse.GetRequiredValue(reamp),
                    new IngestOptions
                    {
                        ManualLatency = parse.GetValue(latency),
                        Channel = parse.GetValue(channel),
                        Resample = parse.GetValue(resample),
                        InputGainDb = parse.GetValue(inputGain),
                        ValidationSeconds = parse.GetValue(validation),
                    }
                );
                Console.Write(pair.Report.ToText());
                if (parse.GetValue(json) is { } jsonPath)
                {
                    AtomicFile.WriteAllText(jsonPath, pair.Report.ToJson());
                    Console.WriteLine($"report: {jsonPath}");
                }

                return pair.Report.ChecksPassed ? Ok : ChecksFailed;
            }));
        return command;
    }

    public static Command Process()
    {
        var input = new Argument<string>("input")
        {
            Description = "WAV to process (any rate; resampled to the model's and back)",
        };
        var output = OutputOption("processed WAV to write");
        var model = new Option<string>("--model")
        {
            HelpName = "FILE",
            Description = "the .nam model",
            Required = true,
        };
        // Checked here, naming the option: the processor's own check speaks of its BlockSize property.
        var block = StageOptions.WholeNumber(
            "--block",
            "use the streaming engine with this block size (default: offline, chunked)",
            minimum: 1,
            "SAMPLES",
            maximum: ProcessingOptions.MaxBlockSize
        );
        var fastTanh = new Option<bool>("--fast-tanh")
        {
            Description = "NAM's fast tanh approximation (as the plugin) instead of exact tanh",
        };
        var size = new Option<double>("--size")
        {
            HelpName = "0..1",
            Description =
                "slimmable size of a SlimmableContainer or slimmable WaveNet (as NAM Core: a submodel serves sizes below its max_value); 1 = full",
            DefaultValueFactory = _ => 1.0,
        };
        var format = new Option<string>("--format")
        {
            Description = "output encoding: float32 (default, keeps peaks above 0 dBFS), pcm24, pcm16",
            DefaultValueFactory = _ => "float32",
        };
        format.AcceptOnlyFromAmong("float32", "pcm24", "pcm16");
        var overwrite = OverwriteOption();
        var compare = new Option<string?>("--compare")
        {
            HelpName = "FILE",
            Description =
                "the rig's recording of the input: print ESR, RMSE and Pearson r of the model against it, aligned as the model was trained",
        };
        var latency = new Option<int?>("--latency")
        {
            HelpName = "SAMPLES",
            Description = "with --compare: latency in samples (overrides the model's training alignment and detection)",
        };
        var knob = new Option<string?>("--knob")
        {
            HelpName = "KNOBS",
            Description =
                "an AIDA-X/RTNeural .json model's knob values, e.g. gain_db=9,mid_db=0 (param1=0.5 for a model without ranges)",
        };
        var automation = new Option<string?>("--automation")
        {
            HelpName = "FILE",
            Description = "a knob sweep for a .json model: CSV time,KNOB,... (seconds, values), ramped block by block",
        };
        var command = new Command(
            "process",
            "Run audio through a .nam model or an AIDA-X/RTNeural .json model. Levels are never rescaled; samples above full scale are reported."
        )
        {
            input,
            output,
            model,
            block,
            fastTanh,
            size,
            format,
            compare,
            latency,
            knob,
            automation,
            overwrite,
        };
        command.SetAction(parse => Run("process", () =>
            {
                if (IsKerasModel(parse.GetRequiredValue(model)))
                {
                    if (
                        parse.GetValue(compare) is not null
                        || parse.GetValue(fastTanh)
                        || parse.GetValue(format) != "float32"
                    )
                    {
                        throw new ArgumentException(
                            "--compare, --fast-tanh and --format apply to .nam models; a .json model is played exactly and written as float32"
                        );
                    }

                    if (parse.GetValue(knob) is not null && parse.GetValue(automation) is not null)
                    {
                        throw new ArgumentException("--knob and --automation both set the knobs; give one");
                    }

                    RefuseReplacingAnInput(
                        parse.GetValue(overwrite),
                        "--output",
                        parse.GetRequiredValue(output),
                        ("input", parse.GetRequiredValue(input)),
                        ("--model", parse.GetRequiredValue(model))
                    );
                    var (channels, frames, peak) = KerasProcessor.ProcessFile(
                        RequireFile(parse.GetRequiredValue(model)),
                        RequireFile(parse.GetRequiredValue(input)),
                        parse.GetRequiredValue(output),
                        parse.GetValue(knob) is { } k ? KnobSetting.Parse(k, "--knob") : null,
                        parse.GetValue(automation) is { } a ? KnobAutomation.Load(RequireFile(a)) : null,
                        parse.GetValue(block) ?? 64
                    );
                    Console.WriteLine(
                        string.Create(
                            Invariant,
                            $"streaming, blocks of {parse.GetValue(block) ?? 64} samples: {channels} channel(s), {frames} frames, peak {peak:+0.00;-0.00} dBFS"
                        )
                    );
                    Console.WriteLine($"wrote {parse.GetRequiredValue(output)}");
                    return Ok;
                }

                if (parse.GetValue(knob) is not null || parse.GetValue(automation) is not null)
                {
                    throw new ArgumentException(
                        "--knob and --automation apply to AIDA-X/RTNeural .json models (a .nam model has no knob input)"
                    );
                }

                if (parse.GetValue(latency) is not null && parse.GetValue(compare) is null)
                {
                    throw new ArgumentException("--latency applies to --compare only");
                }

                var inputs = new List<(string, string)>
                {
                    ("input", parse.GetRequiredValue(input)),
                    ("--model", parse.GetRequiredValue(model)),
                };
                if (parse.GetValue(compare) is { } compared)
                {
                    inputs.Add(("--compare", compared));
                }

                RefuseReplacingAnInput(
                    parse.GetValue(overwrite),
                    "--output",
                    parse.GetRequiredValue(output),
                    [.. inputs]
                );
                var report = AmpProcessor.ProcessFile(
                    RequireFile(parse.GetRequiredValue(model)),
                    RequireFile(parse.GetRequiredValue(input)),
                    parse.GetRequiredValue(output),
                    new ProcessingOptions
                    {
                        BlockSize = parse.GetValue(block),
                        TanhMode = parse.GetValue(fastTanh) ? TanhMode.Fast : TanhMode.Exact,
                        Size = parse.GetValue(size),
                        OutputFormat = parse.GetValue(format) switch
                        {
                            "pcm24" => WavSampleFormat.Pcm24,
                            "pcm16" => WavSampleFormat.Pcm16,
                            _ => WavSampleFormat.Float32,
                        },
                    }
                );
                Console.Write(report.ToText());
                Console.WriteLine($"wrote {parse.GetRequiredValue(output)}");
                if (parse.GetValue(compare) is { } reampPath)
                {
                    var comparison = RecordingComparison.Run(
                        NamFile.Load(parse.GetRequiredValue(model)).AtSize(parse.GetValue(size)),
                        parse.GetRequiredValue(input),
                        RequireFile(reampPath),
                        parse.GetValue(latency),
                        parse.GetValue(fastTanh) ? TanhMode.Fast : TanhMode.Exact
                    );
                    Console.Write(comparison.ToText());
                }
                return Ok;
            }));
        return command;
    }

    public static Command Evaluate()
    {
        var model = new Option<string>("--model")
        {
            HelpName = "FILE",
            Description = "the .nam model",
            Required = true,
        };
        var di = new Option<string>("--di")
        {
            HelpName = "FILE",
            Description = "the DI WAV",
            Required = true,
        };
        var reamp = new Option<string>("--reamp")
        {
            HelpName = "FILE",
            Description = "the reamped WAV",
            Required = true,
        };
        var output = StageOptions.Output("directory for metrics.json and the SVG figures", required: true);
        var latency = LatencyOption();
        var channel = ChannelOption();
        var fastTanh = new Option<bool>("--fast-tanh") { Description = "run the model with NAM's fast tanh" };
        var validation = new Option<double>("--validation-seconds")
        {
            HelpName = "SECONDS",
            Description = "with --range held-out: held-out seconds at the end of arbitrary recordings",
            DefaultValueFactory = _ => 9,
        };
        var scope = new Option<string>("--range")
        {
            Description =
                "what to score: auto (the capture signal's held-out passage, else the whole file), held-out, whole (every aligned sample)",
            DefaultValueFactory = _ => "auto",
        };
        scope.AcceptOnlyFromAmong("auto", "held-out", "whole");
        var whole = new Option<bool>("--whole") { Description = "score every aligned sample (same as --range whole)" };
        var overwrite = OverwriteOption();
        var command = new Command(
            "evaluate",
            "Score a model on a DI/reamp pair: ESR (both conventions), SNR, correlation, null test, MR-STFT, figures."
        )
        {
            model,
            di,
            reamp,
            output,
            latency,
            channel,
            fastTanh,
            validation,
            scope,
            whole,
            overwrite,
        };
        command.SetAction(parse => Run("evaluate", () =>
            {
                var outputDirectory = parse.GetRequiredValue(output);
                foreach (
                    var name in new[]
                    {
                        AmpEvaluation.MetricsFileName,
                        AmpEvaluation.WaveformFileName,
                        AmpEvaluation.SpectrogramFileName,
                        AmpEvaluation.SweepFileName,
                    }
                )
                {
                    RefuseReplacingAnInput(
                        parse.GetValue(overwrite),
                        "--output",
                        Path.Combine(outputDirectory, name),
                        ("--model", parse.GetRequiredValue(model)),
                        ("--di", parse.GetRequiredValue(di)),
                        ("--reamp", parse.GetRequiredValue(reamp))
                    );
                }

                var modelPath = RequireFile(parse.GetRequiredValue(model));
                var nam = NamFile.Load(modelPath);
                // The alignment the model learned is the one to score it with; re-detecting on new audio can land a sample off.
                var trained = Alignment.Of(nam);
                var pair = CapturePair.Load(
                    parse.GetRequiredValue(di),
                    parse.GetRequiredValue(reamp),
                    new IngestOptions
                    {
                        ManualLatency = parse.GetValue(latency),
                        TrainedAlignment = trained,
                        Channel = parse.GetValue(channel),
                        ValidationSeconds = parse.GetValue(validation),
                        Scope = parse.GetValue(whole)
                            ? ValidationScope.Whole
                            : parse.GetValue(scope) switch
                            {
                                "held-out" => ValidationScope.HeldOut,
                                "whole" => ValidationScope.Whole,
                                _ => ValidationScope.HeldOutIfCaptureSignal,
                            },
                    }
                );
                var result = AmpEvaluation.Run(
                    nam,
                    pair,
                    parse.GetRequiredValue(output),
                    new EvaluationOptions
                    {
                        TanhMode = parse.GetValue(fastTanh) ? TanhMode.Fast : TanhMode.Exact,
                        Label = Path.GetFileName(modelPath),
                    }
                );
                var m = result.Metrics;
                var used = pair.Report.Latency;
                var source = used.DescribeSource();
                Console.WriteLine(
                    string.Create(
                        Invariant,
                        $"scored: {result.RangeName} {result.Range} ({result.Range.Seconds(pair.SampleRate):0.##} s of {pair.Input.Length / (double)pair.SampleRate:0.##} s aligned), latency {used.Alignment.Latency} samples: {source}"
                    )
                );
                if (used.CorrelationLatency is { } detected)
                {
                    Console.WriteLine(
                        string.Create(
                            Invariant,
                            $"detected on this pair: response starts at {used.CorrelationOnset} samples (cross-correlation peak {detected:0.00}){(used.ClickLatency is { } clicks ? $", clicks {clicks}" : "")}"
                        )
                    );
                }

                foreach (var warning in pair.Report.Warnings)
                {
                    Console.WriteLine($"warning: {warning}");
                }

                if (result.AddedDelay is { } delay)
                {
                    Console.WriteLine(delay.ToText());
                }

                Console.WriteLine(string.Create(Invariant, $"ESR (NAM)    {m.EsrNam:0.000000}  -> {m.QualityGrade}"));
                Console.WriteLine(string.Create(Invariant, $"ESR (pooled) {m.EsrPooled:0.000000}"));
                Console.WriteLine(
                    string.Create(
                        Invariant,
                        $"SNR {m.SnrDb:0.00} dB, RMSE {m.Rmse:0.000000}, null test {m.ResidualRmsDbfs:0.0} dBFS ({m.ResidualRelativeDb:0.0} dB re target)"
                    )
                );
                Console.WriteLine(
                    string.Create(
                        Invariant,
                        $"Pearson r {m.Pearson:0.00000} -> {m.CorrelationGrade}; MR-STFT {m.MultiResolutionStft:0.0000}"
                    )
                );
                foreach (var (label, difference) in result.SweepDifferences)
                {
                    Console.WriteLine(
                        string.Create(
                            Invariant,
                            $"sweep {label}: mean |model - reference| {difference:0.00} dB (50 Hz - 15 kHz)"
                        )
                    );
                }

                foreach (var w in result.Widths)
                {
                    var upTo = w.MaxSize is { } below ? string.Create(Invariant, $"<{below:0.###}") : "1";
                    Console.WriteLine(
                        string.Create(
                            Invariant,
                            $"size {w.Size:0.###} to {upTo}: {w.Preset ?? "model"}, {w.Weights:N0} weights, ESR {w.EsrNam:0.000000}, streaming {w.RealTimeFactor:0.0}x real time"
                        )
                    );
                }

                Console.WriteLine($"wrote {result.MetricsPath}");
                foreach (var figure in result.FigurePaths)
                {
                    Console.WriteLine($"wrote {figure}");
                }

                return Ok;
            }));
        return command;
    }

    private static bool IsKerasModel(string path) => Path.GetExtension(path).ToLowerInvariant() is ".json" or ".aidax";

    private static Option<string> OutputOption(string description) =>
        StageOptions.Output(description, required: true, helpName: "FILE");

    private static Option<bool> OverwriteOption() =>
        new("--overwrite")
        {
            Description = "allow the output to replace an input file (written atomically once the input is read)",
        };

    /// <summary>
    /// An output that is one of the inputs (same path, a symbolic or a hard link to it) would replace it; that is
    /// almost always a slip of the command line, so it needs --overwrite.
    /// </summary>
    private static void RefuseReplacingAnInput(
        bool overwrite,
        string outputOption,
        string output,
        params (string Option, string Path)[] inputs
    )
    {
        if (overwrite)
        {
            return;
        }

        foreach (var (option, path) in inputs)
        {
            if (FileIdentity.SameFile(output, path))
            {
                throw new ArgumentException(
                    $"{output}: {outputOption}: expected a file other than the {option} ({path}): it is the same file "
                        + "and would be replaced; choose another output, or pass --overwrite to replace it"
                );
            }
        }
    }

    private static Option<string> ExperimentOption(string description) =>
        new("--config") { HelpName = "FILE", Description = description };

    /// <summary>An experiment config sets what the other options would: giving both is a mistake; overrides go with a config.</summary>
    private static void RequireConfigAlone(
        Command command,
        Option<string> config,
        Argument<string[]> overrides,
        params Option[] replaced
    )
    {
        command.Validators.Add(result =>
        {
            var hasConfig = result.GetResult(config) is not null;
            if (hasConfig && replaced.FirstOrDefault(o => result.GetResult(o) is { Implicit: false }) is { } given)
            {
                result.AddError(
                    $"{given.Name} goes without --config (the config's data: section sets it; override it as data.KEY=VALUE)"
                );
            }
            else if (!hasConfig && result.GetValue(overrides) is { Length: > 0 })
            {
                result.AddError("key=value overrides go with --config");
            }
        });
    }

    /// <summary>The data: section of an amp experiment, bound by AmpTrain's binder (the whole config is checked).</summary>
    private static DataSettings ReferenceData(string path, string[]? overrides)
    {
        var data = AmpTrainConfig.Load(path, overrides).Data;
        return data.Source == DataSource.Reference
            ? data
            : throw new ArgumentException(
                $"{path}: field 'data.source': expected reference with --config (capture and reamp make the reference amp's pair), got files"
            );
    }

    /// <summary>What a run with --config reads of the experiment: the data keys it uses, which decide the file it writes.</summary>
    private static ConfigReads ExperimentReads(string? path, string[]? overrides, params string[] keys) =>
        path is null ? ConfigReads.None : AmpTrainConfig.ReadsOf(path, overrides).Within(["data.source", .. keys]);

    private static Option<int?> LatencyOption() =>
        new("--latency") { HelpName = "SAMPLES", Description = "latency in samples (overrides detection)" };

    private static Option<int?> ChannelOption() =>
        new("--channel")
        {
            HelpName = "N",
            Description = "use this channel (0-based) of multi-channel files instead of their average",
        };

    private static string RequireFile(string path) =>
        File.Exists(path) ? path : throw new FileNotFoundException($"{path}: no such file", path);

    /// <summary>Runs a command body with the stages' exit codes; the amp libraries' input errors are bad input (2).</summary>
    private static int Run(string command, Func<int> body, Func<ConfigReads>? reads = null) =>
        StageCli.Run($"Amp {command}", body, e => e is ArgumentException, reads);
}
