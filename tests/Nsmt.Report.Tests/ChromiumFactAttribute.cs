namespace Nsmt.Report.Tests;

/// <summary>
/// A test that opens the report in headless Chromium (build/setup.sh installs Debian's chromium). Where no chromium
/// is installed the test is skipped with the reason, unless NSMT_REQUIRE_CHROMIUM=1 (.ci/run sets it): then it runs
/// and fails saying so, so a missing browser can never pass as a skip.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ChromiumFactAttribute : FactAttribute
{
    public ChromiumFactAttribute()
    {
        if (Environment.GetEnvironmentVariable("NSMT_REQUIRE_CHROMIUM") != "1" && Chromium.Find() is null)
        {
            Skip = "chromium is not installed (build/setup.sh installs Debian's chromium: apt-get install -y chromium)";
        }
    }
}

/// <summary>The theory form of <see cref="ChromiumFactAttribute"/>: skipped, or required, on the same terms.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ChromiumTheoryAttribute : TheoryAttribute
{
    public ChromiumTheoryAttribute()
    {
        if (Environment.GetEnvironmentVariable("NSMT_REQUIRE_CHROMIUM") != "1" && Chromium.Find() is null)
        {
            Skip = "chromium is not installed (build/setup.sh installs Debian's chromium: apt-get install -y chromium)";
        }
    }
}
