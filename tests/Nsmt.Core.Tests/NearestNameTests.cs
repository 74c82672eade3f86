namespace Nsmt.Core.Tests;

public sealed class NearestNameTests
{
    [Theory]
    // Classic Levenshtein examples (Wagner-Fischer): kitten -> sitting is 3, flaw -> lawn is 2.
    [InlineData("kitten", "sitting", 3)]
    [InlineData("flaw", "lawn", 2)]
    [InlineData("", "abc", 3)]
    [InlineData("same", "same", 0)]
    public void Distance_is_the_levenshtein_distance(string a, string b, int expected) =>
        Assert.Equal(expected, NearestName.Distance(a, b));

    [Fact]
    public void A_typo_gets_the_closest_candidate_and_an_unrelated_word_gets_none()
    {
        string[] keys = ["max_epochs", "min_epochs", "batch_size"];
        Assert.Equal(" (did you mean 'max_epochs'?)", NearestName.Suggestion("max_epoch", keys));
        Assert.Equal("", NearestName.Suggestion("learning_rate", keys));
        // Dotted keys: judged on the last segment, so a shared prefix does not make an unrelated word "near".
        Assert.Equal("", NearestName.Suggestion("model.net.bogus", ["model.net.dropout", "model.net.channels"]));
        Assert.Equal(
            " (did you mean 'model.net.dropout'?)",
            NearestName.Suggestion("model.net.dropuot", ["model.net.dropout", "model.net.channels"])
        );
    }
}
