using System.Globalization;

namespace Drover.DevCluster.Schema;

/// <summary>Builds field paths the way apimachinery prints them: <c>spec.items[0].name</c>.</summary>
internal static class FieldPath
{
    public static string Child(string parent, string name) => parent.Length == 0 ? name : $"{parent}.{name}";

    public static string Index(string parent, int index) => string.Create(CultureInfo.InvariantCulture, $"{parent}[{index}]");

    public static string Key(string parent, string key) => $"{parent}[{key}]";
}
