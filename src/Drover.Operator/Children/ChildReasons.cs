namespace Drover.Operator.Children;

/// <summary>The Ready reasons of an owner whose children could not be written.</summary>
internal static class ChildReasons
{
    /// <summary>An object with a child's name exists and this owner does not control it; Drover leaves it untouched.</summary>
    public const string NameConflict = "NameConflict";

    /// <summary>The API server refused a child (invalid, forbidden, too large); the message is the server's.</summary>
    public const string ApplyFailed = "ApplyFailed";
}
