namespace Sambung.IntegrationTests.Support;

public sealed record ServerSentEvent(string Name, string Data);

// Parses a text/event-stream body as the browser would: events end at a blank line; data lines join with \n.
public static class ServerSentEvents
{
    public static List<ServerSentEvent> Parse(string body)
    {
        var events = new List<ServerSentEvent>();
        string name = "message";
        var data = new List<string>();
        foreach (var line in body.Replace("\r\n", "\n").Split('\n'))
        {
            if (line.Length == 0)
            {
                if (data.Count > 0 || name != "message") events.Add(new(name, string.Join('\n', data)));
                name = "message";
                data.Clear();
            }
            else if (line.StartsWith("event:")) name = line[6..].TrimStart();
            else if (line.StartsWith("data:")) data.Add(line[5..].StartsWith(' ') ? line[6..] : line[5..]);
        }
        return events;
    }
}
