namespace Nsmt.Amp.Architectures;

/// <summary>One model a slimmable model plays (<see cref="NamModel.Widths"/>): the lowest size that selects it, and the model.</summary>
public sealed record SlimmableWidth(double Size, NamModel Model);
