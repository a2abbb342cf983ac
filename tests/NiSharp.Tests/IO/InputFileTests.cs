using System.Text;
using CsCheck;
using NiSharp.IO;
using NiSharp.Pipeline;
using NiSharp.Tests.Support;

namespace NiSharp.Tests.IO;

/// <summary>
/// The file rules of <c>IO/</c>: what a path is (without opening it), what may be read (regular files, of bounded
/// size and line length), what may be written (never an input of the command), and how messages print names.
/// </summary>
public sealed class InputFileTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    // The tests that meet a FIFO run on a worker with a deadline: a reader that opened it would block forever.
    [Fact(Timeout = 30_000)]
    public Task Status_tells_files_folders_pipes_devices_links_and_nothing_apart_without_opening() => Task.Run(() =>
    {
        var file = _dir.File("a.txt");
        File.WriteAllText(file, "hello");
        var fifo = _dir.File("pipe");
        SpecialFiles.MakeFifo(fifo);
        var link = _dir.File("link");
        File.CreateSymbolicLink(link, file);
        var dangling = _dir.File("dangling");
        File.CreateSymbolicLink(dangling, _dir.File("nothing"));

        Assert.Equal(new FileStatus(FileKind.Regular, 5, FileStatus.Of(file).Identity), FileStatus.Of(file));
        Assert.Equal(FileKind.Directory, FileStatus.Of(_dir.Path).Kind);
        Assert.Equal(FileKind.Fifo, FileStatus.Of(fifo).Kind); // a blocking open would hang this test
        Assert.Equal(FileKind.CharacterDevice, FileStatus.Of("/dev/zero").Kind);
        Assert.Equal(FileKind.Missing, FileStatus.Of(_dir.File("nothing")).Kind);
        Assert.Equal(FileKind.Missing, FileStatus.Of(dangling).Kind);
        Assert.Equal(FileKind.SymbolicLink, FileStatus.Of(link, followLinks: false).Kind);
        // Through a link, the same file: same identity.
        Assert.Equal(FileStatus.Of(file), FileStatus.Of(link));
        Assert.NotEqual(FileStatus.Of(file).Identity, FileStatus.Of(_dir.Path).Identity);
    });

    [Fact(Timeout = 30_000)]
    public Task Only_regular_files_are_read_each_refusal_naming_the_path() => Task.Run(() =>
    {
        var fifo = _dir.File("pipe.json");
        SpecialFiles.MakeFifo(fifo);
        var dangling = _dir.File("dangling.json");
        File.CreateSymbolicLink(dangling, "not-fetched.json");
        string Fails(string path) => Assert.Throws<NiSharpException>(() => InputFile.ReadAllBytes(path, 100, "a test file")).Message;
        Assert.Equal($"{fifo}: is a named pipe (FIFO), not a regular file; NiSharp reads only regular files", Fails(fifo));
        Assert.Equal("/dev/zero: is a device, not a regular file; NiSharp reads only regular files", Fails("/dev/zero"));
        Assert.Equal($"{_dir.Path}: is a folder, not a file", Fails(_dir.Path));
        Assert.Equal($"{_dir.File("x")}: file not found", Fails(_dir.File("x")));
        Assert.Equal($"{dangling}: is a symbolic link to not-fetched.json, which does not exist (a DataLad file not fetched? run 'datalad get')", Fails(dangling));
        var loopA = _dir.File("loop-a.json");
        File.CreateSymbolicLink(loopA, "loop-b.json");
        File.CreateSymbolicLink(_dir.File("loop-b.json"), "loop-a.json");
        Assert.Equal($"{loopA}: is a symbolic link to loop-b.json that leads back to itself (a loop of links); NiSharp reads only regular files", Fails(loopA));
    });

    [Fact]
    public void Text_is_read_up_to_its_bound_and_refused_beyond_it_before_reading()
    {
        var path = _dir.File("big.json");
        File.WriteAllBytes(path, new byte[1001]);
        Assert.Equal(1001, InputFile.ReadAllBytes(path, 1001, "a JSON file").Length);
        var e = Assert.Throws<NiSharpException>(() => InputFile.ReadAllBytes(path, 1000, "a JSON file"));
        Assert.Equal($"{path}: is 1001 bytes, more than a JSON file can hold (1000 bytes): is it the right file?", e.Message);
        // A file that says it is empty (as /proc files do) is read to its end all the same.
        Assert.Equal("MemTotal", InputFile.ReadAllText("/proc/meminfo", 1 << 20, "a system file")[..8]);
    }

    [Fact]
    public void Json_that_is_not_utf8_is_refused_before_any_parser_meets_it()
    {
        // Found by the fuzz run: a confounds JSON with a bad byte inside a key reached System.Text.Json's transcoder.
        var tsv = _dir.File("x_desc-confounds_timeseries.tsv");
        File.WriteAllText(tsv, "trans_x\n0.1\n0.2\n");
        var json = Path.ChangeExtension(tsv, ".json");
        File.WriteAllBytes(json, [.. "{\"a_comp"u8, 0xC3, 0x28, .. "\": {}}"u8]);
        var e = Assert.Throws<NiSharpException>(() => NiSharp.Confounds.FmriprepConfounds.Load(tsv));
        Assert.Equal($"{json}: invalid JSON: the file is not UTF-8 text", e.Message);
    }

    [Fact]
    public void Lines_end_as_File_ReadLines_says_and_a_line_over_the_bound_fails_with_its_number()
    {
        var path = _dir.File("t.tsv");
        File.WriteAllText(path, "\uFEFFa\tb\r\n1\t2\r3\n\nlast");
        Assert.Equal(File.ReadLines(path), InputFile.ReadLines(path, "a table"));
        File.WriteAllText(path, "short\n" + new string('x', 100) + "\nnever read");
        Assert.Equal("short", InputFile.ReadLines(path, "a table", maxLineChars: 99).First());
        var e = Assert.Throws<NiSharpException>(() => InputFile.ReadLines(path, "a table", maxLineChars: 99).ToList());
        Assert.Equal($"{path}: line 2 is longer than 99 characters, more than a table holds: is it the right file?", e.Message);
    }

    [Fact]
    public void Lines_match_the_framework_for_any_text_and_buffer_boundary()
    {
        var gen = Gen.Select(Gen.OneOfConst("a", "\t", "\r", "\n", "\r\n", "é", "xyz"), Gen.Int[0, 70_000]).Array[0, 40]
            .Select(parts => string.Concat(parts.Select(p => p.Item2 % 97 == 0 ? new string('q', p.Item2) : p.Item1)));
        gen.Sample(text =>
        {
            // CsCheck runs samples on several threads: one file each.
            var path = _dir.File($"p-{Guid.NewGuid():N}.txt");
            File.WriteAllText(path, text, new UTF8Encoding(false));
            Assert.Equal(File.ReadLines(path), InputFile.ReadLines(path, "a text"));
        }, iter: 60);
    }

    [Fact]
    public void An_output_that_is_an_input_of_the_command_is_refused_directly_or_through_a_link()
    {
        var input = _dir.File("in.txt");
        File.WriteAllText(input, "keep me");
        var link = _dir.File("link.txt");
        File.CreateSymbolicLink(link, input);
        var other = _dir.File("other.txt");
        using (CommandInputs.Begin())
        {
            _ = InputFile.ReadAllText(input, 100, "a text");
            var e = Assert.Throws<NiSharpException>(() => AtomicFile.WriteAllText(input, "lost"));
            Assert.Equal($"{input}: cannot write: it is an input of this command, which would be replaced; choose another output name", e.Message);
            e = Assert.Throws<NiSharpException>(() => AtomicFile.WriteAllText(link, "lost"));
            Assert.Equal($"{link}: cannot write: it is the same file as the input {input}, which would be replaced; choose another output name", e.Message);
            AtomicFile.WriteAllText(other, "fine");
            // A run's own outputs read back are not inputs: they may be rewritten.
            _ = InputFile.ReadAllText(other, 100, "a text", asInput: false);
            AtomicFile.WriteAllText(other, "rewritten");
        }
        Assert.Equal("keep me", File.ReadAllText(input));
        Assert.Equal("rewritten", File.ReadAllText(other));
        // Outside a command's scope nothing is recorded.
        _ = InputFile.ReadAllText(input, 100, "a text");
        AtomicFile.WriteAllText(input, "library use");
        Assert.Equal("library use", File.ReadAllText(input));
    }

    [Fact]
    public void Writes_fail_in_one_line_naming_the_file_in_the_way()
    {
        var file = _dir.File("file");
        File.WriteAllText(file, "x");
        var e = Assert.Throws<NiSharpException>(() => OutputFolder.Create(Path.Combine(file, "sub", "dir")));
        Assert.Equal($"{Path.Combine(file, "sub", "dir")}: cannot write: {file} is a file, not a folder", e.Message);
        e = Assert.Throws<NiSharpException>(() => AtomicFile.WriteAllText(Path.Combine(file, "out.tsv"), "x"));
        Assert.Equal($"{Path.Combine(file, "out.tsv")}: cannot write: {file} is a file, not a folder", e.Message);
        var tooLong = _dir.File(new string('b', 256));
        e = Assert.Throws<NiSharpException>(() => AtomicFile.WriteAllText(tooLong, "x"));
        Assert.Equal($"{tooLong}: cannot write: the file name is 256 bytes long; file systems allow 255", e.Message);
        // 255 bytes is a valid name, though its temporary form is longer: it is written.
        var longest = _dir.File(new string('é', 127) + "c");
        AtomicFile.WriteAllText(longest, "fits");
        Assert.Equal("fits", File.ReadAllText(longest));
        Assert.Single(Directory.GetFiles(_dir.Path), f => f.EndsWith('c'));
    }

    [Fact]
    public void Messages_escape_control_characters_and_keep_everything_else()
    {
        Assert.Equal("plain, tab\tand ünïcode", NiSharpException.Printable("plain, tab\tand ünïcode"));
        Assert.Equal(@"a\nb\rc\x1b[31md\x00e\x7ff\u202eg", NiSharpException.Printable("a\nb\rc\u001b[31md\0e\u007ff\u202eg"));
        var e = new NiSharpException("/data/evil\nname\u001b[2J.nii", "empty file");
        Assert.Equal(@"/data/evil\nname\x1b[2J.nii: empty file", e.Message);
        Assert.Equal(@"/d/x\ny: bad", new NiSharp.Bids.BidsProblem("/d/x\ny", "bad").ToString());
    }

    [Fact]
    public void A_tables_cells_are_the_files_cells_whichever_columns_are_kept()
    {
        // Random tables (empty cells, n/a, text), random column filters, line endings and encodings: Cell, Rows and the
        // numbers agree with a split.
        Gen.Select(Gen.Int[1, 6], Gen.Int[0, 5], Gen.Int[0, 63], Gen.Int[0, 1000]).Sample((nc, nr, filter, seed) =>
        {
            // a file per sample: samples run in parallel
            var path = _dir.File($"r-{nc}-{nr}-{filter}-{seed}-{Guid.NewGuid():N}.tsv");
            var rnd = new Random(seed);
            string[] pool = ["", "n/a", "1.5", "-2e3", "x y", "7"];
            var header = Enumerable.Range(0, nc).Select(c => $"c{c}").ToArray();
            // (the first cell never empty: a blank line is not a row)
            var rows = Enumerable.Range(0, nr).Select(_ => header.Select((_, c) => pool[rnd.Next(c == 0 ? 1 : 0, pool.Length)]).ToArray()).ToArray();
            // Any line ending, blank lines between rows, UTF-8 with or without a byte-order mark or UTF-16 with one.
            string[] endings = ["\n", "\r\n", "\r"];
            string End() => endings[rnd.Next(3)] + (rnd.Next(5) == 0 ? endings[rnd.Next(3)] + endings[rnd.Next(3)] : "");
            var text = string.Join(string.Empty, new[] { string.Join('\t', header) }.Concat(rows.Select(r => string.Join('\t', r))).Select(line => line + End()));
            if (rnd.Next(2) == 0) text = text.TrimEnd('\r', '\n');
            Encoding[] encodings = [new UTF8Encoding(false), new UTF8Encoding(true), new UnicodeEncoding(false, true)];
            File.WriteAllText(path, text, encodings[rnd.Next(3)]);
            bool Keep(string name) => (filter >> int.Parse(name[1..]) & 1) == 0;
            var t = TsvTable.Read(path, Keep);
            var kept = Enumerable.Range(0, nc).Where(c => Keep(header[c])).ToArray();
            Assert.Equal(kept.Select(c => header[c]), t.Columns);
            Assert.Equal(nr, t.RowCount);
            for (int r = 0; r < nr; r++)
                for (int k = 0; k < kept.Length; k++) Assert.Equal(rows[r][kept[k]], t.Cell(r, k).ToString());
            Assert.Equal(rows.Select(r => kept.Select(c => r[c]).ToArray()), t.Rows);
            for (int k = 0; k < kept.Length; k++)
                Assert.Equal(rows.All(r => TsvTable.TryParseNumber(r[kept[k]], out _)), t.IsNumeric(k));
        }, iter: 200);
    }

    [Fact]
    public void A_table_keeps_only_the_columns_asked_for_and_still_checks_every_row()
    {
        var path = _dir.File("t.tsv");
        File.WriteAllText(path, "a\tjunk1\tb\tjunk2\n1\tx\t2\ty\n3\tx\t4\ty\n");
        var t = TsvTable.Read(path, c => !c.StartsWith("junk", StringComparison.Ordinal));
        Assert.Equal(["a", "b"], t.Columns);
        Assert.Equal(["a", "junk1", "b", "junk2"], t.Header);
        Assert.Equal([1.0, 3.0], t.GetNumbers("a"));
        Assert.Equal([2.0, 4.0], t.GetNumbers("b"));
        File.WriteAllText(path, "a\tjunk1\tb\n1\tx\t2\n3\t4\n");
        var e = Assert.Throws<NiSharpException>(() => TsvTable.Read(path, c => c == "a"));
        Assert.Equal($"{path}: line 3 has 2 cells but the header has 3", e.Message);
    }

    [Fact]
    public void The_output_root_may_not_be_contain_or_lie_inside_the_input_or_where_its_links_lead()
    {
        var input = Directory.CreateDirectory(_dir.File("ds")).FullName;
        var scratch = Directory.CreateDirectory(_dir.File("scratch")).FullName;
        string Fails(string output, params string[] linked) =>
            Assert.Throws<NiSharpException>(() => TreeBoundary.CheckOutputRoot(input, output, linked)).Message;
        Assert.Contains("OUTPUT_DIR is the input folder", Fails(input));
        Assert.Contains("OUTPUT_DIR is inside the input folder", Fails(Path.Combine(input, "derivatives", "out")));
        Assert.Contains($"OUTPUT_DIR contains the input folder {input}", Fails(_dir.Path));
        Assert.Contains($"OUTPUT_DIR overlaps {scratch}/sub-01/func", Fails(scratch, Path.Combine(scratch, "sub-01", "func")));
        Assert.Contains("OUTPUT_DIR overlaps", Fails(Path.Combine(scratch, "sub-01", "func", "x"), Path.Combine(scratch, "sub-01", "func")));
        // Through a link to the input, too.
        var alias = _dir.File("alias");
        Directory.CreateSymbolicLink(alias, input);
        Assert.Contains("OUTPUT_DIR is inside the input folder", Fails(Path.Combine(alias, "out")));
        TreeBoundary.CheckOutputRoot(input, _dir.File("beside"), [Path.Combine(scratch, "sub-01", "func")]);
    }
}
