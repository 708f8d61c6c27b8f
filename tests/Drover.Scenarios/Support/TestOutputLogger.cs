using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Drover.Scenarios.Support;

/// <summary>Sends the operator's logs to the test's output, so a failing scenario shows what the operator did.</summary>
internal sealed class TestOutputLoggerProvider(ITestOutputHelper output) : ILoggerProvider
{
    private volatile bool _disposed;

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose() => _disposed = true;

    private void Write(string line)
    {
        if (_disposed)
        {
            return;
        }

        try
        {
            output.WriteLine(line);
        }
        catch (InvalidOperationException)
        {
            // The test has finished; late log lines from shutting-down workers have nowhere to go.
        }
    }

    private sealed class Logger(TestOutputLoggerProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                var shortCategory = category[(category.LastIndexOf('.') + 1)..];
                provider.Write($"{DateTime.UtcNow:HH:mm:ss.fff} {logLevel,-11} {shortCategory}: {formatter(state, exception)}{(exception is null ? "" : " " + exception.Message)}");
            }
        }
    }
}
