using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.AI;

namespace Sambung.FakeProviders.Tests;

/// <summary>Drives a real SDK through Microsoft.Extensions.AI's <see cref="IChatClient"/>.</summary>
public abstract class SdkTest : ServerTest
{
    // Task.Delay may wake a timer tick early relative to Stopwatch; this only absorbs timer granularity.
    protected static readonly TimeSpan TimerSlack = TimeSpan.FromMilliseconds(20);

    protected static readonly ChatMessage[] Prompt = [new(ChatRole.User, "Say hello to the tests please")];

    protected sealed record StreamResult(string Text, UsageDetails? Usage, ChatFinishReason? FinishReason, TimeSpan? FirstTextAfter, int Updates);

    protected static async Task<StreamResult> StreamAsync(IChatClient client, CancellationToken ct = default)
    {
        var clock = Stopwatch.StartNew();
        var text = new StringBuilder();
        UsageDetails? usage = null;
        ChatFinishReason? finish = null;
        TimeSpan? firstText = null;
        var updates = 0;
        await foreach (var update in client.GetStreamingResponseAsync(Prompt, cancellationToken: ct))
        {
            updates++;
            if (update.Text.Length > 0)
            {
                firstText ??= clock.Elapsed;
                text.Append(update.Text);
            }
            finish ??= update.FinishReason;
            foreach (var u in update.Contents.OfType<UsageContent>())
            {
                usage = u.Details;
            }
        }
        return new StreamResult(text.ToString(), usage, finish, firstText, updates);
    }

    /// <summary>Streams until the SDK throws, returning the text that arrived before and the exception.</summary>
    protected static async Task<(string Text, Exception? Error)> StreamUntilErrorAsync(IChatClient client)
    {
        var text = new StringBuilder();
        try
        {
            await foreach (var update in client.GetStreamingResponseAsync(Prompt))
            {
                text.Append(update.Text);
            }
            return (text.ToString(), null);
        }
        catch (Exception ex)
        {
            return (text.ToString(), ex);
        }
    }
}
