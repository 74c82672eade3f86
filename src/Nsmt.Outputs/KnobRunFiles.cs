namespace Nsmt.Outputs;

/// <summary>What a knob run folder holds beside its model (the knob trainer writes it; the report reads it).</summary>
public static class KnobRunFiles
{
    /// <summary>Validation ESR per setting: setting, each knob's value, held_out, validation_esr.</summary>
    public const string EsrTable = "knob_esr.csv";

    /// <summary>The ESR table as a heat map over the knob grid.</summary>
    public const string EsrHeatmap = "knob_esr.svg";

    /// <summary>Output level and spectral centroid along each knob, model beside amp.</summary>
    public const string Sweep = "knob_sweep.svg";

    public const string SweepTable = "knob_sweep.csv";

    /// <summary>Per knob: whether the amp's and the model's levels are monotone and move together.</summary>
    public const string SweepVerdicts = "knob_sweep.json";

    /// <summary>Folder of listening clips, one subfolder per setting (<see cref="AmpEvaluationFiles"/>' clip names).</summary>
    public const string Clips = "clips";
}
