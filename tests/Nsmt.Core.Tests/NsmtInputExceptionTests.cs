namespace Nsmt.Core.Tests;

public sealed class NsmtInputExceptionTests
{
    [Fact]
    public void The_message_names_the_place_the_field_and_the_problem()
    {
        var error = new NsmtInputException(
            "configs/amp/x.yaml:3:5",
            "training.epochs",
            "expected a positive integer, got 'ten'"
        );
        Assert.Equal("configs/amp/x.yaml:3:5: training.epochs: expected a positive integer, got 'ten'", error.Message);
        Assert.Equal("configs/amp/x.yaml:3:5", error.Location);
        Assert.Equal("training.epochs", error.Field);
        Assert.Equal("seed: expected an integer", new NsmtInputException(null, "seed", "expected an integer").Message);
    }
}
