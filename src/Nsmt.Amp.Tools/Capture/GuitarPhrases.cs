namespace Nsmt.Amp.Capture;

/// <summary>
/// Synthetic guitar playing for the capture signal: riffs of single notes, strummed chords, palm-muted
/// chugs, let-ring arpeggios, crescendos and short rests, at phrase levels from about -26 dB to 0 dB.
/// Notes on one string stop (with a short release) when that string is played again, as on a guitar.
/// </summary>
internal static class GuitarPhrases
{
    private static readonly double[] OpenStrings = [82.41, 110.0, 146.83, 196.0, 246.94, 329.63];

    // Chord shapes as frets per string, low E first; -1 = string not played.
    private static readonly int[][] ChordShapes =
    [
        [0, 2, 2, 1, 0, 0], // E major
        [-1, 0, 2, 2, 1, 0], // A minor
        [-1, -1, 0, 2, 3, 2], // D major
        [3, 2, 0, 0, 0, 3], // G major
        [-1, 3, 2, 0, 1, 0], // C major
        [0, 2, 2, 0, 0, 0], // E minor
        [-1, 0, 2, 2, 2, 0], // A major
    ];

    private sealed record NoteEvent(int String, int Onset, Pluck Pluck, int Ring);

    /// <summary>Renders <paramref name="length"/> samples of playing at the synthesiser's own level (velocity 1 plucks peak near 1).</summary>
    public static double[] Render(Random random, int sampleRate, int length)
    {
        var events = new List<NoteEvent>();
        var time = 0;
        while (time < length)
        {
            var level = Math.Pow(10, (-26 + (26 * random.NextDouble())) / 20);
            var beat = 60.0 / (90 + (60 * random.NextDouble())) * sampleRate; // samples per beat
            var choice = random.NextDouble();
            time = choice switch
            {
                < 0.28 => Riff(random, events, time, beat, level, sampleRate),
                < 0.50 => Strums(random, events, time, beat, level, sampleRate),
                < 0.70 => PalmMutes(random, events, time, beat, level, sampleRate),
                < 0.85 => Arpeggio(random, events, time, beat, level, sampleRate),
                < 0.95 => Crescendo(random, events, time, beat, sampleRate),
                _ => time + (int)((0.1 + (0.2 * random.NextDouble())) * sampleRate), // a short rest
            };
        }

        var output = new double[length];
        var byString = events.Where(e => e.Onset < length).GroupBy(e => e.String);
        foreach (var group in byString)
        {
            var notes = group.OrderBy(e => e.Onset).ToList();
            for (var i = 0; i < notes.Count; i++)
            {
                var note = notes[i];
                var until = i + 1 < notes.Count ? notes[i + 1].Onset : int.MaxValue;
                var duration = (int)Math.Min(note.Ring, (long)until - note.Onset);
                PluckedString.Render(note.Pluck, random, sampleRate, output, note.Onset, duration);
            }
        }

        return output;
    }

    private static Pluck Note(
        Random random,
        int stringIndex,
        int fret,
        double velocity,
        bool muted = false,
        double decay = 2.5
    ) =>
        new(
            OpenStrings[stringIndex] * Math.Pow(2, fret / 12.0),
            velocity,
            Brightness: muted ? 0.15 + (0.2 * random.NextDouble()) : 0.35 + (0.6 * random.NextDouble()),
            DecaySeconds: decay * (0.7 + (0.6 * random.NextDouble())),
            PickPosition: 0.1 + (0.25 * random.NextDouble()),
            Muted: muted
        );

    private static int Riff(Random random, List<NoteEvent> events, int time, double beat, double level, int sampleRate)
    {
        var step = beat / (random.NextDouble() < 0.6 ? 2 : 4);
        var count = 8 + random.Next(9);
        var stringIndex = random.Next(6);
        var fret = random.Next(13);
        var legato = random.NextDouble() < 0.5;
        for (var i = 0; i < count; i++)
        {
            var accent = i % 4 == 0 ? 1.0 : 0.6 + (0.3 * random.NextDouble());
            var ring = (int)(step * (legato ? 2.5 : 0.8));
            events.Add(
                new NoteEvent(
                    stringIndex,
                    time + (int)(i * step),
                    Note(random, stringIndex, fret, level * accent),
                    ring
                )
            );
            // Walk to a neighbouring note, sometimes crossing strings.
            if (random.NextDouble() < 0.3)
            {
                stringIndex = Math.Clamp(stringIndex + (random.Next(2) == 0 ? -1 : 1), 0, 5);
            }

            fret = Math.Clamp(fret + random.Next(-3, 4), 0, 15);
        }

        return time + (int)(count * step);
    }

    private static int Strums(
        Random random,
        List<NoteEvent> events,
        int time,
        double beat,
        double level,
        int sampleRate
    )
    {
        var shape = ChordShapes[random.Next(ChordShapes.Length)];
        var capo = random.NextDouble() < 0.4 ? random.Next(1, 8) : 0;
        var strums = 2 + random.Next(5);
        double[] lengths = [beat * 2, beat, beat / 2];
        for (var s = 0; s < strums; s++)
        {
            var spacing = lengths[random.Next(lengths.Length)];
            var down = s % 2 == 0 || random.NextDouble() < 0.5;
            var spread = (0.008 + (0.022 * random.NextDouble())) * sampleRate / 5; // per string
            var velocity = level * (0.7 + (0.3 * random.NextDouble()));
            var k = 0;
            for (var j = 0; j < 6; j++)
            {
                var stringIndex = down ? j : 5 - j;
                if (shape[stringIndex] < 0)
                {
                    continue;
                }

                var onset = time + (int)(k++ * spread);
                events.Add(
                    new NoteEvent(
                        stringIndex,
                        onset,
                        Note(
                            random,
                            stringIndex,
                            shape[stringIndex] + capo,
                            velocity * (0.8 + (0.2 * random.NextDouble()))
                        ),
                        (int)(4 * beat)
                    )
                );
            }

            time += (int)spacing;
        }

        return time + (int)beat;
    }

    private static int PalmMutes(
        Random random,
        List<NoteEvent> events,
        int time,
        double beat,
        double level,
        int sampleRate
    )
    {
        var step = beat / (random.NextDouble() < 0.5 ? 2 : 4);
        var count = 8 + random.Next(17);
        var root = random.Next(0, 8);
        var powerChord = random.NextDouble() < 0.6;
        var start = 0.5 + (0.5 * random.NextDouble());
        for (var i = 0; i < count; i++)
        {
            var ramp = start + ((1 - start) * i / count);
            var velocity = level * ramp * (i % 2 == 0 ? 1.0 : 0.75);
            var onset = time + (int)(i * step);
            var ring = (int)(step * 0.9);
            events.Add(new NoteEvent(0, onset, Note(random, 0, root, velocity, muted: true, decay: 0.2), ring));
            if (powerChord)
            {
                events.Add(
                    new NoteEvent(
                        1,
                        onset + (sampleRate / 400),
                        Note(random, 1, root + 2, velocity * 0.9, muted: true, decay: 0.2),
                        ring
                    )
                );
            }
        }

        // End the phrase on an open, ringing power chord.
        var end = time + (int)(count * step);
        events.Add(new NoteEvent(0, end, Note(random, 0, root, level), (int)(2 * beat)));
        events.Add(new NoteEvent(1, end + (sampleRate / 300), Note(random, 1, root + 2, level), (int)(2 * beat)));
        return end + (int)(2 * beat);
    }

    private static int Arpeggio(
        Random random,
        List<NoteEvent> events,
        int time,
        double beat,
        double level,
        int sampleRate
    )
    {
        var shape = ChordShapes[random.Next(ChordShapes.Length)];
        var step = beat / 2;
        int[] order = [.. Enumerable.Range(0, 6).Where(s => shape[s] >= 0)];
        var count = 2 * order.Length;
        for (var i = 0; i < count; i++)
        {
            var index = i < order.Length ? i : (2 * order.Length) - 1 - i; // up, then back down
            var stringIndex = order[index];
            events.Add(
                new NoteEvent(
                    stringIndex,
                    time + (int)(i * step),
                    Note(
                        random,
                        stringIndex,
                        shape[stringIndex],
                        level * (0.6 + (0.4 * random.NextDouble())),
                        decay: 3.5
                    ),
                    (int)(6 * beat)
                )
            );
        }

        return time + (int)(count * step) + (int)beat;
    }

    private static int Crescendo(Random random, List<NoteEvent> events, int time, double beat, int sampleRate)
    {
        // One note or dyad repeated from very soft to full level: exercises the amp's gain curve.
        var stringIndex = random.Next(6);
        var fret = random.Next(10);
        var count = 8 + random.Next(9);
        var step = beat / 2;
        for (var i = 0; i < count; i++)
        {
            var velocity = Math.Pow(10, (-36 + (36.0 * i / (count - 1))) / 20);
            events.Add(
                new NoteEvent(
                    stringIndex,
                    time + (int)(i * step),
                    Note(random, stringIndex, fret, velocity),
                    (int)(step * 1.5)
                )
            );
        }

        return time + (int)(count * step) + (int)beat;
    }
}
