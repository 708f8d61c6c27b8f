using System.Globalization;

namespace Drover.DevCluster.Tables;

/// <summary>apimachinery's <c>duration.HumanDuration</c>: the Age text kubectl shows (<c>5m2s</c>, <c>3h</c>, <c>2d5h</c>).</summary>
public static class HumanDuration
{
    public static string Format(TimeSpan d)
    {
        var seconds = (long)d.TotalSeconds;
        if (seconds < -1)
        {
            return "<invalid>";
        }

        if (seconds < 0)
        {
            return "0s";
        }

        if (seconds < 60 * 2)
        {
            return F($"{seconds}s");
        }

        var minutes = (long)d.TotalMinutes;
        if (minutes < 10)
        {
            var s = seconds % 60;
            return s == 0 ? F($"{minutes}m") : F($"{minutes}m{s}s");
        }

        if (minutes < 60 * 3)
        {
            return F($"{minutes}m");
        }

        var hours = (long)d.TotalHours;
        if (hours < 8)
        {
            var m = minutes % 60;
            return m == 0 ? F($"{hours}h") : F($"{hours}h{m}m");
        }

        if (hours < 48)
        {
            return F($"{hours}h");
        }

        if (hours < 24 * 8)
        {
            var h = hours % 24;
            return h == 0 ? F($"{hours / 24}d") : F($"{hours / 24}d{h}h");
        }

        if (hours < 24 * 365 * 2)
        {
            return F($"{hours / 24}d");
        }

        if (hours < 24 * 365 * 8)
        {
            var days = hours / 24 % 365;
            return days == 0 ? F($"{hours / 24 / 365}y") : F($"{hours / 24 / 365}y{days}d");
        }

        return F($"{hours / 24 / 365}y");
    }

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
