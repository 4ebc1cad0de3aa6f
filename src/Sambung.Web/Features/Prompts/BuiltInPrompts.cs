using System.Globalization;
using Sambung.Events.Prompts;

namespace Sambung.Web.Features.Prompts;

// The prompts every account has, read-only, in English and Indonesian. They live in code rather than the resx
// files: they are long, multi-line templates with placeholders, and each is one unit (name, description, text)
// per language. Change a text and raise Version, so replies made from the old text still say which it was.
public static class BuiltInPrompts
{
    public const int Version = 1;

    public sealed record Text(string Name, string Description, string Template, string Category);

    public sealed record BuiltIn(string Key, Guid Id, string[] Tags, Text English, Text Indonesian)
    {
        public Text In(CultureInfo culture) => culture.TwoLetterISOLanguageName == "id" ? Indonesian : English;
    }

    public static readonly IReadOnlyList<BuiltIn> All =
    [
        Make("summarize", ["writing"],
            new("Summarize", "A short summary of any text, at the length you choose.",
                "Summarize the following text in {{length|3 bullet points|one paragraph|one sentence}}. Keep the facts, names and numbers; leave out opinions that are not in the text.\n\n{{text}}", "Writing"),
            new("Ringkas", "Ringkasan singkat teks apa pun, dengan panjang pilihan Anda.",
                "Ringkaslah teks berikut dalam {{panjang|3 poin|satu paragraf|satu kalimat}}. Pertahankan fakta, nama, dan angka; jangan menambahkan pendapat yang tidak ada dalam teks.\n\n{{teks}}", "Menulis")),
        Make("translate", ["language"],
            new("Translate", "Translate text into another language, keeping its tone.",
                "Translate the following text into {{language:Indonesian}}. Keep the tone and the formatting; do not explain the translation.\n\n{{text}}", "Language"),
            new("Terjemahkan", "Terjemahkan teks ke bahasa lain dengan nada yang sama.",
                "Terjemahkan teks berikut ke dalam bahasa {{bahasa:Inggris}}. Pertahankan nada dan formatnya; jangan menjelaskan terjemahannya.\n\n{{teks}}", "Bahasa")),
        Make("code", ["code"],
            new("Code generation", "Write code for a task, in the language you name.",
                "Write {{language:Python}} code that does the following:\n\n{{task}}\n\nUse clear names, handle errors, and add a short usage example. Explain any choice that is not obvious.", "Code"),
            new("Buat kode", "Tulis kode untuk suatu tugas, dalam bahasa pemrograman pilihan Anda.",
                "Tulis kode {{bahasa:Python}} yang melakukan hal berikut:\n\n{{tugas}}\n\nGunakan nama yang jelas, tangani galat, dan sertakan contoh pemakaian singkat. Jelaskan pilihan yang tidak jelas dengan sendirinya.", "Kode")),
        Make("explain-code", ["code"],
            new("Explain code", "A step-by-step explanation of a piece of code.",
                "Explain what this code does, step by step, for a {{audience|beginner|working developer|expert}}. Point out bugs or risks you notice.\n\n```\n{{code}}\n```", "Code"),
            new("Jelaskan kode", "Penjelasan langkah demi langkah atas sepotong kode.",
                "Jelaskan apa yang dilakukan kode ini, langkah demi langkah, untuk {{pembaca|pemula|pengembang berpengalaman|ahli}}. Sebutkan bug atau risiko yang Anda temukan.\n\n```\n{{kode}}\n```", "Kode")),
        Make("fix-grammar", ["writing", "language"],
            new("Fix grammar", "Correct spelling and grammar without changing the meaning.",
                "Correct the spelling, grammar and punctuation of the following text. Keep its meaning, tone and language. Reply with the corrected text only.\n\n{{text}}", "Writing"),
            new("Perbaiki tata bahasa", "Perbaiki ejaan dan tata bahasa tanpa mengubah makna.",
                "Perbaiki ejaan, tata bahasa, dan tanda baca teks berikut. Pertahankan makna, nada, dan bahasanya. Balas hanya dengan teks yang sudah diperbaiki.\n\n{{teks}}", "Menulis")),
        Make("brainstorm", ["ideas"],
            new("Brainstorm", "A list of varied ideas on a topic.",
                "Give me {{count:10}} varied ideas about {{topic}}. For each, one line on why it could work. Include a few unusual ones.", "Ideas"),
            new("Curah gagasan", "Daftar gagasan yang beragam tentang suatu topik.",
                "Berikan {{jumlah:10}} gagasan yang beragam tentang {{topik}}. Untuk masing-masing, satu baris tentang mengapa gagasan itu bisa berhasil. Sertakan beberapa yang tidak biasa.", "Gagasan")),
        Make("email", ["writing"],
            new("Write an email", "A clear email from a few notes.",
                "Write a {{tone|friendly|formal|brief}} email to {{recipient}} about the following. Sign it as {{user_name}}.\n\n{{notes}}", "Writing"),
            new("Tulis surel", "Surel yang jelas dari beberapa catatan.",
                "Tulis surel yang {{nada|ramah|formal|singkat}} kepada {{penerima}} tentang hal berikut. Tandatangani sebagai {{user_name}}.\n\n{{catatan}}", "Menulis")),
        Make("action-items", ["work"],
            new("Meeting notes to action items", "Decisions and tasks pulled out of meeting notes.",
                "From these meeting notes of {{date}}, list the decisions taken and the action items (who, what, by when). Mark anything unclear as a question.\n\n{{notes}}", "Work"),
            new("Catatan rapat jadi tindak lanjut", "Keputusan dan tugas dari catatan rapat.",
                "Dari catatan rapat tanggal {{date}} ini, daftarkan keputusan yang diambil dan tindak lanjutnya (siapa, apa, kapan). Tandai yang belum jelas sebagai pertanyaan.\n\n{{catatan}}", "Pekerjaan")),
        Make("simplify", ["writing"],
            new("Explain simply", "A plain explanation of a hard topic, with an example.",
                "Explain {{topic}} in plain words to someone new to it. Use one everyday example and no jargon.", "Learning"),
            new("Jelaskan dengan sederhana", "Penjelasan sederhana tentang topik yang sulit, dengan contoh.",
                "Jelaskan {{topik}} dengan kata-kata sederhana kepada orang yang baru mengenalnya. Gunakan satu contoh sehari-hari dan tanpa istilah teknis.", "Belajar")),
    ];

    public static BuiltIn? Find(Guid id) => All.FirstOrDefault(b => b.Id == id);

    private static BuiltIn Make(string key, string[] tags, Text english, Text indonesian) =>
        new(key, PromptTemplate.BuiltInId(key), tags, english, indonesian);
}
