using Nsmt.Core;
using Nsmt.Neural.Engine;

namespace Engine.Tests;

/// <summary>
/// The engine self-check (issue 29): the policy on a fake engine whose kernels are wrong where the test says, and the
/// real check on this machine's libtorch.
/// </summary>
public class EngineGuardTests
{
    private static readonly KernelMismatch Wrong = new("conv1d 17->16 k3 d2", "output", 3.1, 4.6);

    [Fact]
    public void A_correct_engine_is_left_as_it_is_and_nothing_is_printed()
    {
        var engine = new FakeEngine(wrongWithOneDnn: false, wrongWithout: false);
        var lines = new List<string>();
        var report = EngineGuard.Verify(OneDnnMode.Auto, engine, lines.Add);
        Assert.False(report.Switched);
        Assert.True(report.OneDnnEnabled);
        Assert.Equal(1, engine.Checks);
        Assert.Empty(engine.Switches);
        Assert.Empty(lines);
        Assert.Contains("float32 agrees with float64 (oneDNN on, auto", report.Line);
    }

    [Fact]
    public void Wrong_kernels_switch_onednn_off_recheck_and_say_so_in_one_line()
    {
        var engine = new FakeEngine(wrongWithOneDnn: true, wrongWithout: false);
        var lines = new List<string>();
        var report = EngineGuard.Verify(OneDnnMode.Auto, engine, lines.Add);
        Assert.True(report.Switched);
        Assert.False(report.OneDnnEnabled);
        Assert.Equal([false], engine.Switches);
        Assert.Equal(2, engine.Checks);
        var line = Assert.Single(lines);
        Assert.Equal(report.Line, line);
        Assert.Contains("Fake CPU (family 26 model 2), libtorch 2.10.0", line);
        Assert.Contains("conv1d 17->16 k3 d2 output: max error 3.1", line);
        Assert.Contains("switched oneDNN off, re-checked: float32 agrees with float64", line);
    }

    [Fact]
    public void Kernels_still_wrong_after_the_switch_refuse_to_run()
    {
        var engine = new FakeEngine(wrongWithOneDnn: true, wrongWithout: true);
        var error = Assert.Throws<NsmtEnvironmentException>(() =>
            EngineGuard.Verify(OneDnnMode.Auto, engine, _ => { })
        );
        Assert.Contains("after switching oneDNN off", error.Message);
        Assert.Contains("would produce garbage", error.Message);
        Assert.Equal(2, engine.Checks);
    }

    [Fact]
    public void Forced_off_switches_before_the_check_and_forced_on_refuses_wrong_kernels()
    {
        var off = new FakeEngine(wrongWithOneDnn: true, wrongWithout: false);
        var report = EngineGuard.Verify(OneDnnMode.Off, off, _ => { });
        Assert.Equal([false], off.Switches);
        Assert.Equal(1, off.Checks);
        Assert.Contains("oneDNN off, forced off", report.Line);

        var on = new FakeEngine(wrongWithOneDnn: true, wrongWithout: false);
        var error = Assert.Throws<NsmtEnvironmentException>(() => EngineGuard.Verify(OneDnnMode.On, on, _ => { }));
        Assert.Contains("with oneDNN on", error.Message);
        Assert.Contains($"Unset {EngineGuard.EnvironmentVariable}", error.Message);
        Assert.Equal([true], on.Switches);
    }

    [Fact]
    public void A_missing_switch_is_reported_not_a_crash()
    {
        var engine = new FakeEngine(wrongWithOneDnn: true, wrongWithout: false)
        {
            Unavailable = "libtorch_cpu lacks _ZN2at13globalContextEv",
        };
        var error = Assert.Throws<NsmtEnvironmentException>(() =>
            EngineGuard.Verify(OneDnnMode.Auto, engine, _ => { })
        );
        Assert.Contains("oneDNN cannot be switched off (libtorch_cpu lacks _ZN2at13globalContextEv)", error.Message);
        var forced = Assert.Throws<NsmtEnvironmentException>(() =>
            EngineGuard.Verify(OneDnnMode.Off, engine, _ => { })
        );
        Assert.Contains("switch cannot be reached", forced.Message);
    }

    [Theory]
    [InlineData("auto", OneDnnMode.Auto)]
    [InlineData("ON", OneDnnMode.On)]
    [InlineData(" off ", OneDnnMode.Off)]
    [InlineData("false", OneDnnMode.Off)]
    public void Modes_parse_from_settings(string text, OneDnnMode mode) =>
        Assert.Equal(mode, EngineGuard.Parse(text, "NSMT_ONEDNN"));

    [Fact]
    public void A_bad_mode_names_where_it_came_from_and_what_is_expected()
    {
        var error = Assert.Throws<NsmtInputException>(() =>
            EngineGuard.Parse("maybe", "configs/trainer/default.yaml:12:9")
        );
        Assert.Equal("configs/trainer/default.yaml:12:9: onednn: expected auto, on or off, got 'maybe'", error.Message);
    }

    [Fact]
    public void On_this_machine_the_guarded_engine_computes_float32_like_float64()
    {
        // Whatever path the guard chose here (its line says which), the kernels our models use must now be right.
        var report = EngineGuard.Ensure();
        var (mismatches, _) = KernelSelfCheck.Run();
        Assert.True(mismatches.Count == 0, $"{report.Line}; still wrong: {string.Join("; ", mismatches)}");
    }

    [Fact]
    public void The_check_leaves_the_random_stream_where_it_was()
    {
        EngineGuard.Ensure();
        manual_seed(7);
        var expected = randn(8).data<float>().ToArray();
        manual_seed(7);
        KernelSelfCheck.Run();
        var actual = randn(8).data<float>().ToArray();
        Assert.Equal(expected, actual);
    }

    private sealed class FakeEngine(bool wrongWithOneDnn, bool wrongWithout) : IComputeEngine
    {
        private bool _enabled = true;

        public string? Unavailable { get; init; }

        public List<bool> Switches { get; } = [];

        public int Checks { get; private set; }

        public string Description => "Fake CPU (family 26 model 2), libtorch 2.10.0";

        public bool? OneDnnEnabled => Unavailable is null ? _enabled : null;

        public string? SwitchUnavailable => Unavailable;

        public void SetOneDnn(bool value)
        {
            Switches.Add(value);
            _enabled = value;
        }

        public IReadOnlyList<KernelMismatch> Check(out TimeSpan elapsed)
        {
            Checks++;
            elapsed = TimeSpan.FromMilliseconds(12);
            var wrong = OneDnnEnabled != false ? wrongWithOneDnn : wrongWithout;
            return wrong ? [Wrong] : [];
        }
    }
}
