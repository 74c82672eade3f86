using Nsmt.Config;

namespace Nsmt.Spectral.Training.Config;

/// <summary>Finds the configs/ folder so stages work from the repository root or any folder below it.</summary>
public static class ConfigLocator
{
    public static string Find(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "configs");
            if (File.Exists(Path.Combine(candidate, ConfigComposer.PrimaryFile)))
            {
                return candidate;
            }
        }
        throw new ConfigException(
            $"no configs/{ConfigComposer.PrimaryFile} in {start} or its parents (pass --configs DIR)"
        );
    }
}
