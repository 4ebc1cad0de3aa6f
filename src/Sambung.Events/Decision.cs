namespace Sambung.Events;

// The outcome of a pure decision: events to append, nothing to do (the command was already applied), or a refusal
// with a code the UI turns into a message in the user's language. Refusals are expected; exceptions are for bugs.
public sealed record Decision
{
    public IReadOnlyList<object> Events { get; private init; } = [];
    public string? Refusal { get; private init; }
    public bool IsRefused => Refusal is not null;
    public bool IsNoChange => Refusal is null && Events.Count == 0;

    public static readonly Decision NoChange = new();
    public static Decision Accept(params object[] events) => new() { Events = events };
    public static Decision Refuse(string refusal) => new() { Refusal = refusal };
}

// Refusal codes shared by every decision. The web layer maps each to a localized message ("Refusal.<code>").
public static class Refusals
{
    public const string NotFound = "NotFound";
    public const string EmptyMessage = "EmptyMessage";
    public const string MessageTooLong = "MessageTooLong";
    public const string UnknownParent = "UnknownParent";
    public const string ReplyInProgress = "ReplyInProgress";
    public const string NotAReply = "NotAReply";
    public const string IdAlreadyUsed = "IdAlreadyUsed";
}
