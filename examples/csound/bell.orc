; A small FM bell for examples/csound/bell.json (docs/document-format.md, "A csound track").
; Tactus sends each note as: p3 its length in seconds, p4 MIDI pitch (cents as a fraction), p5 velocity
; 1..127, p6 frequency in Hz; linsegr's last segment is the release heard after the note ends.
ksmps = 32
nchnls = 2
0dbfs = 1

instr Bell
  iamp = 0.25 * p5 / 127
  kenv linsegr 0, 0.005, 1, 1.5, 0.3, 0.8, 0   ; strike, decay, then 0.8 s of release
  kindex linsegr 6, 1.5, 1.5, 0.8, 0.5          ; brighter at the strike
  asig foscili iamp * kenv, p6, 1, 1.4, kindex
  outs asig, asig
endin
