using System.Text;

namespace Sambung.Benchmarks;

// Chat-like text, mixed English and Indonesian, with word frequencies that follow a Zipf law: a few very common
// words, a long tail of rare ones (made-up words, as names and identifiers are in real chats). Deterministic for a
// seed, and not thread-safe: one generator per thread.
public sealed class TextGenerator
{
    // Roughly by frequency, the two languages interleaved; the rank in this list is the rank in the Zipf law.
    private const string CommonWords = """
        the yang to dan a di of is ini and it untuk you itu in dengan i saya that data tidak be ada for apa on bisa
        this kamu with not have are akan as from juga was your sudah can do ke if we they atau will but pada karena
        all dari an by so what harus use more kode there one jika when function error server file saja lebih time
        about how bagaimana cara should need make using value query user string test api database kita mereka
        sekarang masih hanya baru seperti oleh setelah sebelum tetapi namun agar supaya jadi membuat menggunakan
        masalah solusi contoh pertanyaan jawaban program aplikasi fungsi sistem proses hasil nilai tabel kolom baris
        perlu coba lihat tolong bantu mohon jelaskan kenapa mengapa apakah benar salah mudah sulit cepat lambat
        connection index table column row type list array object class method return request response model token
        config version update change run build deploy install package library framework example problem issue
        result output input message chat reply prompt context branch search page view state event stream store
        cache memory disk network latency performance benchmark koneksi pengguna halaman pesan percakapan cabang
        pencarian riwayat pengaturan folder label versi kesalahan gagal berhasil selesai mulai jalankan pasang
        perbarui hapus simpan ubah tambah kirim terima buka tutup login logout akun kata sandi email alamat
        python csharp dotnet javascript typescript react postgres postgresql docker kubernetes linux windows git
        github json yaml html css sql http https rest grpc async await task thread lock transaction commit rollback
        schema migration projection aggregate decision command handler endpoint route controller service client
        provider openai anthropic ollama llm embedding vector similarity cosine dimension batch queue retry timeout
        rumah makan minum pagi siang malam hari minggu bulan tahun besok kemarin nanti tadi selalu kadang jarang
        baik buruk besar kecil panjang pendek tinggi rendah banyak sedikit semua beberapa setiap lain sama beda
        good bad big small long short high low many few every other same different new old first last next
        write read open close start stop create delete save load send receive find show hide select merge edit
        regenerate summary translate explain compare review refactor optimize debug log trace metric alert
        jakarta bandung surabaya yogyakarta bali medan makassar indonesia english bahasa belajar mengajar sekolah
        kuliah kampus dosen mahasiswa tugas ujian nilai rapor skripsi penelitian laporan presentasi rapat kantor
        """;

    // Fixed multi-word expressions, so that phrase search has something to find.
    public static readonly string[] Phrases =
    [
        "basis data", "connection pool", "terima kasih", "machine learning", "tidak bisa", "error message",
        "pull request", "unit test", "selamat pagi", "full text search", "sama sekali", "event sourcing",
    ];

    private static readonly string[] Syllables =
    [
        "ka", "lo", "mer", "ti", "san", "vu", "dre", "pon", "gil", "ra", "te", "su", "bak", "nor", "wi", "zel",
        "qua", "fen", "hu", "ju", "lan", "mok", "pe", "ris", "to", "yan", "bre", "dun", "gor", "ix", "om", "ush",
    ];

    private readonly Random random;
    private readonly string[] words;
    private readonly double[] cumulative;

    public TextGenerator(int seed, int tailWords = 40_000, double exponent = 1.07)
    {
        random = new Random(seed);
        var common = CommonWords.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Distinct().ToList();
        // The tail is the same for every seed, so separate generators share one vocabulary.
        var tailRandom = new Random(20_240_601);
        var tail = new HashSet<string>();
        while (tail.Count < tailWords)
        {
            var length = tailRandom.Next(2, 5);
            var word = string.Concat(Enumerable.Range(0, length).Select(_ => Syllables[tailRandom.Next(Syllables.Length)]));
            if (!common.Contains(word)) tail.Add(word);
        }
        words = [.. common, .. tail];
        cumulative = new double[words.Length];
        var sum = 0.0;
        for (var rank = 1; rank <= words.Length; rank++)
            cumulative[rank - 1] = sum += 1 / Math.Pow(rank, exponent);
    }

    // The word of a given rank (1 = the most frequent).
    public string WordOfRank(int rank) => words[rank - 1];

    public string Word()
    {
        var u = random.NextDouble() * cumulative[^1];
        var index = Array.BinarySearch(cumulative, u);
        return words[Math.Min(index < 0 ? ~index : index, words.Length - 1)];
    }

    public int Next(int min, int max) => random.Next(min, max);

    // A message of minChars..maxChars characters, in sentences.
    public string Message(int minChars = 200, int maxChars = 800)
    {
        var target = random.Next(minChars, maxChars + 1);
        var text = new StringBuilder(maxChars + 120);
        while (text.Length < target)
        {
            if (text.Length > 0) text.Append(random.Next(8) == 0 ? "\n\n" : " ");
            AppendSentence(text);
        }
        if (text.Length > maxChars)
        {
            var cut = text.ToString().LastIndexOf(' ', maxChars - 1);
            text.Length = cut > minChars ? cut : maxChars - 1;
            text.Append('.');
        }
        return text.ToString();
    }

    private void AppendSentence(StringBuilder text)
    {
        var start = text.Length;
        var count = random.Next(5, 16);
        for (var i = 0; i < count; i++)
        {
            if (i > 0) text.Append(i % 7 == 6 && random.Next(3) == 0 ? ", " : " ");
            text.Append(random.Next(40) == 0 ? Phrases[random.Next(Phrases.Length)] : Word());
        }
        text[start] = char.ToUpperInvariant(text[start]);
        text.Append(random.Next(10) switch { 0 => '?', 1 => '!', _ => '.' });
    }
}
