#:property JsonSerializerIsReflectionEnabledByDefault=true
#:property PublishAot=false
// The goldens of the JSON writers' byte-identity tests (issue 28 item 5), written the way main's writers wrote them
// before the outputs were declared as source-generated records: main's dictionaries, anonymous objects and options,
// copied from main (TrainingSummary, AmpTraining/KnobTraining/Trainer.SummaryExtension). Run from this folder with
// `dotnet run main_writers.cs`; it writes into the test projects' Fixtures/main-json.
using System.Text.Json;
using System.Text.Json.Serialization;

var Json = new JsonSerializerOptions
{
    WriteIndented = true,
    NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
};
Dictionary<string, object?> Core(string domain, int? bestEpoch, double? best) =>
    new()
    {
        ["domain"] = domain,
        ["epochs"] = 3,
        ["best_epoch"] = bestEpoch,
        ["monitor"] = new Dictionary<string, object?>
        {
            ["metric"] = "val/esr",
            ["mode"] = "min",
            ["best"] = best,
        },
        ["stop_reason"] = "max_epochs (3) <reached> & 'done'",
        ["stopped_early"] = false,
        ["device"] = new Dictionary<string, string>
        {
            ["name"] = "cpu",
            ["requested"] = "auto",
            ["reason"] = "no GPU: café",
        },
        ["precision"] = new Dictionary<string, object?> { ["mode"] = "32-true", ["tf32"] = null },
        ["model"] = bestEpoch is null ? null : "model.nam",
        ["metrics"] = new Dictionary<string, double>
        {
            ["train/loss"] = 0.125,
            ["val/esr"] = double.NaN,
            ["val/x"] = 1e-7,
        },
        ["bests"] = new Dictionary<string, double> { ["val/esr_best"] = double.PositiveInfinity },
        ["top_k"] = new[]
        {
            new Dictionary<string, object?>
            {
                ["epoch"] = 2,
                ["value"] = 0.0123456789,
                ["file"] = "epoch=001-val_esr=0.0123.ckpt",
            },
            new Dictionary<string, object?>
            {
                ["epoch"] = 1,
                ["value"] = 0.5,
                ["file"] = "epoch=000.ckpt",
            },
        },
    };
var amp = Core("amp", 2, 0.0123456789);
foreach (
    var (k, v) in new Dictionary<string, object?>
    {
        ["validation_esr"] = double.PositiveInfinity,
        ["grade"] = "great",
        ["elapsed_seconds"] = 12.5,
        ["alignment"] = new Dictionary<string, object?>
        {
            ["latency_samples"] = (int?)17,
            ["safety_margin_samples"] = (int?)null,
            ["manual"] = true,
        },
        ["target_rms_dbfs"] = (double?)-18.0,
        ["target_gain"] = 1.5,
        ["added_delay_samples"] = (double?)0.25,
        ["added_delay_confidence_db"] = (double?)31.0,
        ["model_onset_samples"] = (int?)null,
        ["target_onset_samples"] = (int?)40,
    }
)
{
    amp.Add(k, v);
}
var knob = Core("knob", null, null);
foreach (
    var (k, v) in new Dictionary<string, object?>
    {
        ["knob_model"] = "wavenet",
        ["knobs"] = new[]
        {
            new Dictionary<string, object?>
            {
                ["name"] = "gain",
                ["min"] = 0.0,
                ["max"] = 10.0,
            },
            new Dictionary<string, object?>
            {
                ["name"] = "tone",
                ["min"] = -1.5,
                ["max"] = 1.5,
            },
        },
        ["elapsed_seconds"] = 3.25,
        ["worst_trained_esr"] = (double?)0.02,
        ["worst_held_out_esr"] = (double?)null,
        ["trained"] = new object[]
        {
            new { setting = "gain=2, tone=0.5", esr = 0.01 },
            new { setting = "gain=8 tone=+1", esr = 0.02 },
        },
        ["held_out"] = new object[] { },
    }
)
{
    knob.Add(k, v);
}

// A spectral run's core differs from the amp runs' (early stop, maximised monitor, no model file, no top-k).
var spectral = new Dictionary<string, object?>
{
    ["domain"] = "spectral",
    ["epochs"] = 5,
    ["best_epoch"] = 4,
    ["monitor"] = new Dictionary<string, object?>
    {
        ["metric"] = "val/acc",
        ["mode"] = "max",
        ["best"] = 0.875,
    },
    ["stop_reason"] = "early_stopping: val/acc did not improve in 1 epoch",
    ["stopped_early"] = true,
    ["device"] = new Dictionary<string, string>
    {
        ["name"] = "cuda:0",
        ["requested"] = "cuda",
        ["reason"] = "asked",
    },
    ["precision"] = new Dictionary<string, object?> { ["mode"] = "bf16-mixed", ["tf32"] = true },
    ["model"] = null,
    ["metrics"] = new Dictionary<string, double> { ["val/acc"] = 0.875 },
    ["bests"] = new Dictionary<string, double> { ["val/acc_best"] = 0.875 },
    ["top_k"] = Array.Empty<Dictionary<string, object?>>(),
};
spectral.Add("task_name", "vimh_16k");
spectral.Add("parameters", 123456L);
var timing = new Dictionary<string, object?>
{
    ["train_samples_per_second"] = Math.Round(1234.5678, 1),
    ["seconds_per_epoch"] = Math.Round(2.34567, 3),
    ["resident_mb_after_first_epoch"] = (double?)null,
    ["resident_mb_peak"] = 512.25,
    ["threads"] = 2,
};
const string AmpFixtures = "../../Nsmt.Amp.Training.Tests/Fixtures/main-json";
const string SpectralFixtures = "../../Nsmt.Spectral.Training.Tests/Fixtures/main-json";
foreach (
    var (path, o) in new (string, object)[]
    {
        ($"{AmpFixtures}/summary_amp.json", amp),
        ($"{AmpFixtures}/summary_knob.json", knob),
        ($"{SpectralFixtures}/summary_spectral.json", spectral),
        ($"{AmpFixtures}/timing.json", timing),
    }
)
{
    File.WriteAllText(path, JsonSerializer.Serialize(o, Json));
}
