using Nsmt.Neural.Training;

namespace Nsmt.Amp.Training.Tests;

public class TimeBudgetTests
{
    [Theory]
    [InlineData("600", 600)]
    [InlineData("90s", 90)]
    [InlineData("10m", 600)]
    [InlineData("1.5h", 5400)]
    [InlineData("1h30m", 5400)]
    [InlineData(" 2M ", 120)]
    public void Durations_read_as_people_type_them(string text, double seconds) =>
        Assert.Equal(seconds, TimeBudget.ParseDuration(text));

    [Theory]
    [InlineData("")]
    [InlineData("ten minutes")]
    [InlineData("10x")]
    [InlineData("-5")]
    [InlineData("0")]
    [InlineData("m")]
    public void Other_text_is_no_duration(string text) => Assert.Null(TimeBudget.ParseDuration(text));

    [Fact]
    public void An_epoch_starts_only_if_it_ends_inside_the_budget()
    {
        var budget = new TimeBudget(600);
        Assert.True(budget.NextEpochFits(elapsedSeconds: 500, epochSeconds: 100));
        Assert.False(budget.NextEpochFits(elapsedSeconds: 501, epochSeconds: 100));
        Assert.True(new TimeBudget(0).NextEpochFits(1e9, 1e9)); // no budget
    }

    [Fact]
    public void Projected_epochs_count_what_fits_at_the_current_pace_up_to_the_epoch_limit()
    {
        var budget = new TimeBudget(600);
        Assert.Equal(
            2 + 4,
            budget.ProjectedEpochs(epochsDone: 2, elapsedSeconds: 150, epochSeconds: 100, maxEpochs: 25)
        );
        Assert.Equal(25, budget.ProjectedEpochs(epochsDone: 2, elapsedSeconds: 20, epochSeconds: 10, maxEpochs: 25));
        Assert.Contains("2.5 min of 10.0 min used", budget.Describe(2, 150, 100, 25), StringComparison.Ordinal);
        Assert.Contains("about 6 of 25 epochs fit", budget.Describe(2, 150, 100, 25), StringComparison.Ordinal);
    }
}
