namespace Drover.Api;

/// <summary>The API group and version every Drover kind belongs to.</summary>
public static class DroverApi
{
    /// <summary>The API group.</summary>
    public const string Group = "drover.dev";

    /// <summary>The only served and stored version.</summary>
    public const string Version = "v1alpha1";

    /// <summary>The <c>apiVersion</c> written on every Drover object.</summary>
    public const string ApiVersion = Group + "/" + Version;
}
