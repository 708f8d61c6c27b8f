namespace Drover.ControllerRuntime.Client;

/// <summary>Selectors and paging for list and watch requests.</summary>
public sealed record ListOptions
{
    public string? LabelSelector { get; init; }

    public string? FieldSelector { get; init; }

    /// <summary>Page size for lists; 0 asks for everything in one response.</summary>
    public int Limit { get; init; }

    public string? Continue { get; init; }

    public string? ResourceVersion { get; init; }
}
