namespace Nsmt.Core;

/// <summary>
/// Text from the user (a key, an override, a name) as a message shows it: whole when short, else its start and
/// its length, so that a 100,000-character key gives a one-line error instead of a 200 KB one.
/// </summary>
public static class ShownText
{
    /// <summary>Characters of user text a message shows; real keys and paths are far shorter.</summary>
    public const int MaxLength = 120;

    public static string Of(string text) =>
        text.Length <= MaxLength ? text : $"{text[..MaxLength]}... ({text.Length} characters)";
}
