namespace Nsmt.Torch;

/// <summary>c10::DeviceType values.</summary>
public enum DeviceType
{
    CPU = 0,
    CUDA = 1,
}

/// <summary>A compute device: "cpu", "cuda", "cuda:1".</summary>
public sealed record Device(DeviceType type, int index = -1)
{
    public static readonly Device CPU = new(DeviceType.CPU);
    public static readonly Device CUDA = new(DeviceType.CUDA, 0);

    public Device(string description) : this(Parse(description).type, Parse(description).index) { }

    private static (DeviceType type, int index) Parse(string description)
    {
        var parts = description.Trim().ToLowerInvariant().Split(':');
        var type = parts[0] switch
        {
            "cpu" => DeviceType.CPU,
            "cuda" => DeviceType.CUDA,
            _ => throw new ArgumentException($"unknown device '{description}' (expected cpu, cuda or cuda:N)", nameof(description)),
        };
        var index = parts.Length > 1 && int.TryParse(parts[1], out var i) ? i : type == DeviceType.CUDA ? 0 : -1;
        return (type, index);
    }

    public override string ToString() => type == DeviceType.CPU ? "cpu" : index < 0 ? "cuda" : $"cuda:{index}";
}
