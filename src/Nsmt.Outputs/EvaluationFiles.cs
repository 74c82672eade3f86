namespace Nsmt.Outputs;

/// <summary>What a spectral evaluation folder holds (the Evaluate stage writes it; the report reads it).</summary>
public static class EvaluationFiles
{
    public const string Metrics = "metrics.json";

    /// <summary>The folder of the reconstruction figure and its audio.</summary>
    public const string ReconstructionFolder = "reconstruction";

    public const string ReconstructionFigure = "reconstruction.svg";
}
