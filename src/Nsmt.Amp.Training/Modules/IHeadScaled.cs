namespace Nsmt.Amp.Training.Modules;

/// <summary>
/// A WaveNet whose output is its head times a constant head_scale (not trained; exported as the .nam's last weight):
/// the constant that undoes a target normalisation (<see cref="Data.TargetNormalization"/>).
/// </summary>
public interface IHeadScaled
{
    float HeadScale { get; set; }
}
