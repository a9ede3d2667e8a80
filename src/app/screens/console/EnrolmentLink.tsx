// One enrolment link as a QR code to scan, the link itself, and a copy button.
// The QR image is an SVG made by the qrcode package from the URL the server
// returned, shown through an <img> (no markup injected into the page).
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import QRCode from 'qrcode';
import type { CreatedEnrolment } from '../../../shared/enrolment';
import { formatDate } from '../../i18n';

export function EnrolmentLink({ enrolment, name }: { enrolment: CreatedEnrolment; name: string }) {
  const { t, i18n } = useTranslation('supervisor');
  const [svg, setSvg] = useState<string | undefined>();
  const [copied, setCopied] = useState<'yes' | 'no' | undefined>();

  useEffect(() => {
    let live = true;
    void QRCode.toString(enrolment.url, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 }).then(
      (s) => live && setSvg(s),
      () => live && setSvg(undefined),
    );
    return () => {
      live = false;
    };
  }, [enrolment.url]);

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(enrolment.url);
      setCopied('yes');
    } catch {
      setCopied('no');
    }
  };

  return (
    <section className="enrol-link" aria-labelledby={`enrol-link-${enrolment.id}`}>
      <h2 id={`enrol-link-${enrolment.id}`}>{t('enrol.linkTitle', { name })}</h2>
      <p>{t('enrol.linkHelp', { time: formatDate(enrolment.expiresAt, i18n.language, { dateStyle: 'short', timeStyle: 'short' }) })}</p>
      {svg && <img className="enrol-qr" src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`} alt={t('enrol.qrAlt', { name })} width={256} height={256} />}
      <p className="enrol-url">
        <a href={enrolment.url}>{enrolment.url}</a>
      </p>
      <button type="button" className="button" onClick={() => void copy()}>
        {t('enrol.copy')}
      </button>
      <p role="status" className="muted">
        {copied === 'yes' ? t('enrol.copied') : copied === 'no' ? t('enrol.copyFailed') : ''}
      </p>
    </section>
  );
}
