using Marten;
using Marten.Services;
using Npgsql;

namespace Sambung.Web.Infrastructure;

// Message text and model output never reach the logs, for every user (privacy mode only promises it).
// Two places could carry them there: Marten's own logger, which writes every SQL parameter (event bodies: the
// messages) at Debug and with any failed command (a concurrent append, at Error); and exception messages from
// providers, whose error bodies may quote the prompt.
public sealed class ContentFreeMartenLogger(ILogger logger) : IMartenLogger, IMartenSessionLogger
{
    public IMartenSessionLogger StartSession(IQuerySession session) => this;

    public void SchemaChange(string sql) => logger.LogInformation("Executed schema update SQL:\n{SQL}", sql);

    public void LogSuccess(NpgsqlCommand command) => logger.LogDebug("Marten executed SQL: {SQL}", command.CommandText);

    public void LogSuccess(NpgsqlBatch batch)
    {
        if (logger.IsEnabled(LogLevel.Debug))
            logger.LogDebug("Marten executed a batch: {SQL}", string.Join(";\n", batch.BatchCommands.Select((NpgsqlBatchCommand c) => c.CommandText)));
    }

    // The command's text (placeholders, no values) and the exception: PostgreSQL's error details, which can quote
    // a row, stay out unless the connection string asks for them (Include Error Detail), and ours does not.
    public void LogFailure(NpgsqlCommand command, Exception ex) =>
        logger.LogError(ex, "Marten could not execute SQL: {SQL}", command.CommandText);

    public void LogFailure(NpgsqlBatch batch, Exception ex) =>
        logger.LogError(ex, "Marten could not execute a batch: {SQL}", string.Join(";\n", batch.BatchCommands.Select((NpgsqlBatchCommand c) => c.CommandText)));

    public void LogFailure(Exception ex, string message) => logger.LogError(ex, "{Message}", message);

    public void RecordSavedChanges(IDocumentSession session, IChangeSet commit) { }

    public void OnBeforeExecute(NpgsqlCommand command) { }

    public void OnBeforeExecute(NpgsqlBatch batch) { }
}

// An exception as the logs show it: its type and where it was thrown, not its message (a provider's error text
// may quote the conversation). The kind of failure is logged beside it.
public sealed class WithheldException(Exception original)
    : Exception($"{original.GetType().FullName} (message withheld: it may quote the conversation)",
        original.InnerException is { } inner ? new WithheldException(inner) : null)
{
    public override string? StackTrace => original.StackTrace;

    public static Exception Of(Exception e) => new WithheldException(e);
}
