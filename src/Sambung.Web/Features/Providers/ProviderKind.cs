namespace Sambung.Web.Features.Providers;

public enum ProviderKind { OpenAI, OpenAICompatible, Groq, OpenRouter, Gemini, Anthropic, Ollama }

public enum Protocol { OpenAI, Anthropic, Ollama }

// What each kind of provider speaks and where it lives unless told otherwise.
public static class ProviderKinds
{
    public static Protocol ProtocolOf(ProviderKind kind) => kind switch
    {
        ProviderKind.Anthropic => Protocol.Anthropic,
        ProviderKind.Ollama => Protocol.Ollama,
        _ => Protocol.OpenAI,
    };

    public static string? DefaultBaseUrl(ProviderKind kind) => kind switch
    {
        ProviderKind.OpenAI => "https://api.openai.com/v1",
        ProviderKind.Groq => "https://api.groq.com/openai/v1",
        ProviderKind.OpenRouter => "https://openrouter.ai/api/v1",
        ProviderKind.Gemini => "https://generativelanguage.googleapis.com/v1beta/openai/",
        ProviderKind.Anthropic => "https://api.anthropic.com",
        ProviderKind.Ollama => "http://127.0.0.1:11434",
        _ => null, // an OpenAI-compatible server must say where it is
    };

    public static bool NeedsKey(ProviderKind kind) => kind is not (ProviderKind.Ollama or ProviderKind.OpenAICompatible);

    public static string Key(ProviderKind kind) => kind.ToString().ToLowerInvariant();

    public static ProviderKind? Parse(string? value) =>
        Enum.TryParse<ProviderKind>(value, ignoreCase: true, out var kind) && Enum.IsDefined(kind) ? kind : null;

    public static string DisplayName(ProviderKind kind) => kind switch
    {
        ProviderKind.OpenAI => "OpenAI",
        ProviderKind.OpenAICompatible => "OpenAI-compatible",
        ProviderKind.Groq => "Groq",
        ProviderKind.OpenRouter => "OpenRouter",
        ProviderKind.Gemini => "Google Gemini",
        ProviderKind.Anthropic => "Anthropic",
        ProviderKind.Ollama => "Ollama",
        _ => kind.ToString(),
    };
}
