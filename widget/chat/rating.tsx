/**
 * Satisfaction after resolve (issue 13): one tap on a face sends the rating, then an optional
 * comment can follow (sent again with the same face: the latest rating counts). Its own words in
 * the chat's four languages; mounted by app.tsx while the conversation is resolved.
 */
import { useState } from "preact/hooks";
import { MAX_RATING_COMMENT_CHARS } from "../../protocol/limits";
import { lang } from "./i18n";

const words = {
  en: [
    "How was this conversation?",
    "Bad",
    "Okay",
    "Great",
    "Add a comment (optional)",
    "Send",
    "Thank you for your feedback!",
    "Could not send. Try again.",
  ],
  pl: [
    "Jak oceniasz tę rozmowę?",
    "Źle",
    "Średnio",
    "Świetnie",
    "Dodaj komentarz (opcjonalnie)",
    "Wyślij",
    "Dziękujemy za opinię!",
    "Nie udało się wysłać. Spróbuj ponownie.",
  ],
  fi: [
    "Millainen keskustelu oli?",
    "Huono",
    "Kohtalainen",
    "Erinomainen",
    "Lisää kommentti (vapaaehtoinen)",
    "Lähetä",
    "Kiitos palautteestasi!",
    "Lähetys epäonnistui. Yritä uudelleen.",
  ],
  ru: [
    "Как вам этот разговор?",
    "Плохо",
    "Нормально",
    "Отлично",
    "Добавьте комментарий (необязательно)",
    "Отправить",
    "Спасибо за отзыв!",
    "Не удалось отправить. Попробуйте ещё раз.",
  ],
} as const;
const w = words[lang as keyof typeof words] ?? words.en;
// Unicode 6.0 faces: in every emoji font (🙂 is missing from some Linux ones).
const FACES = ["😞", "😐", "😊"] as const;

async function send(token: string, score: number, comment: string | null): Promise<boolean> {
  try {
    const r = await fetch("/api/widget/rating", {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ scale: "faces3", score, comment }),
    });
    return r.ok;
  } catch {
    return false;
  }
}

export function Rating({ token }: { token: string }) {
  const [score, setScore] = useState<number | null>(null);
  const [comment, setComment] = useState("");
  const [state, setState] = useState<"ask" | "rated" | "done" | "failed">("ask");
  const rate = async (s: number) => {
    setScore(s);
    setState((await send(token, s, null)) ? "rated" : "failed");
  };
  if (state === "done")
    return (
      <div class="rating note" role="status">
        {w[6]}
      </div>
    );
  return (
    <div class="rating" role="group" aria-label={w[0]}>
      <p>{w[0]}</p>
      <div class="faces">
        {FACES.map((face, i) => (
          <button
            key={face}
            type="button"
            class={score === i + 1 ? "face on" : "face"}
            aria-pressed={score === i + 1}
            aria-label={w[i + 1]}
            title={w[i + 1]}
            onClick={() => rate(i + 1)}
          >
            {face}
          </button>
        ))}
      </div>
      {state === "rated" && score !== null ? (
        <form
          onSubmit={async (e) => {
            e.preventDefault();
            const text = comment.trim();
            if (!text) return setState("done");
            setState((await send(token, score, text)) ? "done" : "failed");
          }}
        >
          <textarea
            aria-label={w[4]}
            placeholder={w[4]}
            rows={2}
            maxLength={MAX_RATING_COMMENT_CHARS}
            value={comment}
            onInput={(e) => setComment(e.currentTarget.value)}
          />
          <button type="submit">{w[5]}</button>
        </form>
      ) : null}
      {state === "failed" ? (
        <p class="error" role="alert">
          {w[7]}
        </p>
      ) : null}
    </div>
  );
}
