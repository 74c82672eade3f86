namespace Nsmt.Amp.Training;

/// <summary>NAM's verdict on a validation ESR (amp-modeling.md).</summary>
public static class EsrGrade
{
    public static string Of(double esr) => esr switch
    {
        < 0.01 => "great",
        < 0.035 => "not bad",
        < 0.1 => "might sound ok",
        < 0.3 => "probably won't sound great",
        _ => "something went wrong",
    };
}
