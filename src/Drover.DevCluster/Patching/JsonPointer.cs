using System.Globalization;

namespace Drover.DevCluster.Patching;

/// <summary>RFC 6901 JSON pointers: <c>/a/b~1c</c> is the tokens <c>a</c>, <c>b/c</c>; <c>~0</c> is <c>~</c>.</summary>
internal static class JsonPointer
{
    public static IReadOnlyList<string> Parse(string pointer)
    {
        if (pointer.Length == 0)
        {
            return [];
        }

        if (pointer[0] != '/')
        {
            throw PatchException.Invalid($"JSON pointer {Quote(pointer)} must be empty or start with \"/\"");
        }

        var tokens = pointer[1..].Split('/');
        for (var i = 0; i < tokens.Length; i++)
        {
            // Order matters: "~01" is "~1" literally, not "/".
            tokens[i] = tokens[i].Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
        }

        return tokens;
    }

    /// <summary>Array index token: digits without a leading zero (RFC 6901 §4).</summary>
    public static bool TryParseIndex(string token, out int index)
    {
        index = -1;
        if (token.Length == 0 || (token.Length > 1 && token[0] == '0'))
        {
            return false;
        }

        foreach (var c in token)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }
        }

        return int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out index);
    }

    public static string Quote(string value) => "\"" + value + "\"";
}
