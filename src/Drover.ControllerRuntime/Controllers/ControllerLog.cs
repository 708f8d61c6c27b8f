using Microsoft.Extensions.Logging;

namespace Drover.ControllerRuntime.Controllers;

internal static partial class ControllerLog
{
    [LoggerMessage(1, LogLevel.Error, "Reconcile of {Key} by {Controller} threw; retrying with backoff")]
    public static partial void ReconcileThrew(ILogger logger, Exception exception, string controller, string key);

    [LoggerMessage(2, LogLevel.Warning, "Reconcile of {Key} by {Controller} failed: {Message}; retrying with backoff")]
    public static partial void ReconcileFailed(ILogger logger, string controller, string key, string? message);

    [LoggerMessage(3, LogLevel.Warning, "Reconcile of {Key} by {Controller} failed terminally: {Message}; not retrying")]
    public static partial void ReconcileTerminal(ILogger logger, string controller, string key, string? message);

    [LoggerMessage(4, LogLevel.Information, "Controller {Controller} starting {Workers} workers")]
    public static partial void Starting(ILogger logger, string controller, int workers);

    [LoggerMessage(5, LogLevel.Information, "Controller {Controller} stopped")]
    public static partial void Stopped(ILogger logger, string controller);

    [LoggerMessage(6, LogLevel.Error, "Bookkeeping after the reconcile of {Key} by {Controller} failed; the worker goes on and the key is looked at again in {Retry}")]
    public static partial void BookkeepingFailed(ILogger logger, Exception exception, string controller, string key, TimeSpan retry);

    [LoggerMessage(7, LogLevel.Error, "A worker of {Controller} hit an unexpected error; it goes on with the next key")]
    public static partial void WorkerFailed(ILogger logger, Exception exception, string controller);

    [LoggerMessage(8, LogLevel.Debug, "Reconcile of {Key} by {Controller} asked to wait {Requested}; waiting {Capped}, the longest allowed")]
    public static partial void RequeueCapped(ILogger logger, string controller, string key, TimeSpan requested, TimeSpan capped);
}
